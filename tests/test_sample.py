"""Tests of videofill.sample: the redistributable sample clip."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.io.masks import dilate_holes, read_masks
from videofill.io.video import probe, read_frames
from videofill.sample import (
    MASK_MARGIN,
    PAN_SPEED,
    SAMPLE_FPS,
    make_sample,
    render_sample,
)


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample") / "sample"
    return make_sample(folder, frame_count=6, size=(64, 48), seed=3)


def test_files_exist_and_counts_match(small_sample):
    sample = small_sample
    for path in (sample.input, sample.readme):
        assert path.is_file()
    for folder in (sample.frames, sample.masks, sample.ground_truth):
        assert sorted(p.name for p in folder.iterdir()) == [f"{i:05d}.png" for i in range(6)]
    info = probe(sample.input)
    assert (info.width, info.height, info.frame_count, info.fps) == (64, 48, 6, Fraction(24))
    assert SAMPLE_FPS == 24
    assert read_masks(sample.masks, 6, (64, 48)).shape == (6, 48, 64)
    readme = sample.readme.read_text()
    assert "astronaut" in readme and "NASA" in readme and "public domain" in readme


def test_ground_truth_differs_from_the_input_only_inside_the_hole(small_sample):
    frames = read_frames(small_sample.frames)
    truth = read_frames(small_sample.ground_truth)
    holes = read_masks(small_sample.masks, 6, (64, 48))
    drawn = (frames != truth).any(axis=3)  # the object
    assert not drawn[~holes].any()
    assert all(d.sum() > 20 for d in drawn)  # an object is drawn in every frame
    # the hole is the object grown by MASK_MARGIN px: no halo left, and not much more than that
    assert not dilate_holes(drawn, MASK_MARGIN)[~holes].any()
    assert not holes[~dilate_holes(drawn, MASK_MARGIN + 2)].any()


def test_mp4_is_close_to_the_lossless_frames(small_sample):
    video = read_frames(small_sample.input).astype(int)
    frames = read_frames(small_sample.frames)
    assert np.abs(video - frames).mean() < 6.0


def test_render_is_deterministic_and_the_background_pans():
    frames, holes, truth = render_sample(frame_count=24)  # the default sample: 320x176
    assert frames.shape == truth.shape == (24, 176, 320, 3) and holes.shape == (24, 176, 320)
    again = render_sample(frame_count=24)
    for a, b in zip((frames, holes, truth), again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(render_sample(4, (64, 48), seed=1)[0], render_sample(4, (64, 48), seed=2)[0])
    assert 0.02 < holes.mean() < 0.2
    # the background moves by PAN_SPEED[0] px a frame: frame 1 shifted back matches frame 0 (rows found by search)
    dx = int(PAN_SPEED[0])
    errors = [np.abs(truth[1, max(0, -dy) : 176 - max(0, dy), : 320 - dx].astype(int) - truth[0, max(0, dy) : 176 - max(0, -dy), dx:]).mean() for dy in range(-3, 4)]
    assert min(errors) == 0
    assert np.abs(truth[1].astype(int) - truth[0]).mean() > 5
    # the object moves across the frame
    centres = [np.argwhere(h).mean(axis=0)[1] for h in holes]
    assert centres[-1] - centres[0] > 100


def test_long_and_large_samples_fit(tmp_path):
    frames, holes, truth = render_sample(frame_count=200, size=(40, 32))  # the pan outgrows the photo: enlarged
    assert frames.shape == (200, 32, 40, 3)
    frames, holes, truth = render_sample(frame_count=2, size=(640, 600))
    assert truth.shape == (2, 600, 640, 3)


def test_existing_folder_is_refused_without_overwrite(tmp_path):
    (tmp_path / "s").mkdir()  # empty: allowed
    make_sample(tmp_path / "s", frame_count=2, size=(32, 32))
    with pytest.raises(VideofillError, match="already exists"):
        make_sample(tmp_path / "s", frame_count=2, size=(32, 32))
    sample = make_sample(tmp_path / "s", frame_count=3, size=(32, 32), overwrite=True)
    assert len(list(sample.masks.iterdir())) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["s"]  # no temporary left
    with pytest.raises(ValueError):
        make_sample(tmp_path / "odd", size=(33, 32))
