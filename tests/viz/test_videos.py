"""Tests of videofill.viz.videos: the figures and videos of ``videofill viz`` from files, and their one-line errors."""

import cv2
import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.io.video import read_frames
from videofill.io.writer import write_frames
from videofill.viz.videos import flow_video, side_by_side_video, slice_figure_file


def test_slice_figure_file_is_the_figure_of_the_middle_row(tiny_dir, tmp_path):
    path = slice_figure_file([tiny_dir / "frames"], tmp_path / "slice.png", masks=tiny_dir / "masks")
    image = cv2.imread(str(path))[..., ::-1]
    assert image.shape[1] >= 2 * 96 and np.all(image == (255, 255, 0), axis=-1).sum() >= 94  # the row marker
    with pytest.raises(VideofillError, match="row 48"):
        slice_figure_file([tiny_dir / "frames"], tmp_path / "x.png", row=48)


def test_flow_video_is_one_frame_shorter(tiny_dir, tmp_path):
    out = flow_video(tiny_dir / "frames", tmp_path / "flow")
    flows = read_frames(out)
    assert flows.shape == (11, 48, 96, 3) and flows.std() > 0


def test_side_by_side_video_labels_and_outlines(tiny_dir, tmp_path):
    out = side_by_side_video([tiny_dir / "frames", tiny_dir / "frames"], tmp_path / "sbs", masks=tiny_dir / "masks")
    video = read_frames(out)
    frames = read_frames(tiny_dir / "frames")
    assert video.shape == (12, 48, 192, 3)
    red = [np.all(v == (255, 0, 0), axis=-1).sum() for v in (video[:, :, :96], video[:, :, 96:], frames)]
    assert red[0] > red[2] and red[1] == red[2]  # the hole outlined on the first input only
    assert np.array_equal(video[:, 20:, 96:], frames[:, 20:])  # the second: unchanged below its label
    with pytest.raises(VideofillError, match="already exists"):
        side_by_side_video([tiny_dir / "frames"], out)


def test_side_by_side_video_of_different_lengths_is_refused(tiny_dir, tmp_path):
    write_frames(tmp_path / "short", read_frames(tiny_dir / "frames")[:5], 24)
    with pytest.raises(VideofillError, match="one length and height; got .*12 frames.*5 frames"):
        side_by_side_video([tiny_dir / "frames", tmp_path / "short"], tmp_path / "sbs.mp4")
    assert not (tmp_path / "sbs.mp4").exists()
