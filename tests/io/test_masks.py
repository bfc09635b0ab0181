"""Tests of videofill.io.masks: reading every kind of mask source, the threshold, resizing, dilation, writing."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.ndimage import distance_transform_edt

from videofill.errors import VideofillError
from videofill.io.masks import (
    HOLE_VALUE,
    KNOWN_VALUE,
    dilate_holes,
    holes_to_images,
    image_to_holes,
    read_masks,
    write_masks,
)
from videofill.io.writer import write_frames


def block_holes(count: int = 4, height: int = 32, width: int = 48) -> np.ndarray:
    """Moving 8-px-aligned rectangles: bool (T, H, W) that survive lossy video coding well."""
    holes = np.zeros((count, height, width), dtype=bool)
    for t in range(count):
        holes[t, 8:24, 8 * (t % 3) : 8 * (t % 3) + 16] = True
    return holes


def test_convention_constants():
    assert (HOLE_VALUE, KNOWN_VALUE) == (255, 0)


def test_folder_round_trip(tmp_path):
    holes = block_holes()
    paths = write_masks(tmp_path / "masks", holes)
    assert [p.name for p in paths] == ["00000.png", "00001.png", "00002.png", "00003.png"]
    stored = cv2.imread(str(paths[0]), cv2.IMREAD_UNCHANGED)
    assert stored.ndim == 2 and stored.dtype == np.uint8 and set(np.unique(stored)) == {0, 255}
    got = read_masks(tmp_path / "masks", 4, (48, 32))
    assert got.dtype == np.bool_ and got.shape == (4, 32, 48)
    np.testing.assert_array_equal(got, holes)


def test_write_masks_refuses_an_existing_folder(tmp_path):
    write_masks(tmp_path / "masks", block_holes())
    with pytest.raises(VideofillError, match="already exists"):
        write_masks(tmp_path / "masks", block_holes(2))
    write_masks(tmp_path / "masks", block_holes(2), overwrite=True)
    assert sorted(p.name for p in (tmp_path / "masks").iterdir()) == ["00000.png", "00001.png"]


def test_shared_data_masks_match_the_fixture(tiny_dir, tiny_case):
    _, holes = tiny_case
    np.testing.assert_array_equal(read_masks(tiny_dir / "masks", 12, (96, 48)), holes)


def test_non_zero_is_hole(tmp_path):
    image = np.array([[0, 1, 127, 128, 200, 255]], dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "m.png"), image)
    got = read_masks(tmp_path / "m.png", 2, (6, 1))
    np.testing.assert_array_equal(got[0, 0], [False, True, True, True, True, True])
    # 16-bit: scaled to 8 bits first
    cv2.imwrite(str(tmp_path / "m16.png"), (image.astype(np.uint16) * 257))
    np.testing.assert_array_equal(read_masks(tmp_path / "m16.png", 1, (6, 1))[0, 0], got[0, 0])


def test_colour_masks_non_black_is_hole(tmp_path):
    rgb = np.zeros((2, 4, 3), dtype=np.uint8)
    rgb[0, 0] = (10, 0, 0)  # dark red: hole (channels differ)
    rgb[0, 1] = (0, 0, 1)
    rgb[1, 3] = (128, 0, 0)  # DAVIS palette red
    cv2.imwrite(str(tmp_path / "c.png"), rgb[..., ::-1])
    expected = np.zeros((2, 4), bool)
    expected[0, 0] = expected[0, 1] = expected[1, 3] = True
    np.testing.assert_array_equal(read_masks(tmp_path / "c.png", 1, (4, 2))[0], expected)
    # an RGB file whose channels are all equal is grey: any value above 0 is hole
    grey = np.zeros((2, 4, 3), dtype=np.uint8)
    grey[0, 0] = 100
    grey[0, 1] = 200
    cv2.imwrite(str(tmp_path / "g.png"), grey)
    np.testing.assert_array_equal(read_masks(tmp_path / "g.png", 1, (4, 2))[0, 0], [True, True, False, False])


def test_zero_one_masks_are_holes(tmp_path):
    """A new user's masks stored as 0/1 (they look black) must not be silently ignored."""
    holes = block_holes(3)
    folder = tmp_path / "masks"
    folder.mkdir()
    for i, hole in enumerate(holes):
        cv2.imwrite(str(folder / f"{i:05d}.png"), hole.astype(np.uint8))
    np.testing.assert_array_equal(read_masks(folder, 3, (48, 32)), holes)


def test_masks_of_another_aspect_ratio_are_refused(tmp_path):
    cv2.imwrite(str(tmp_path / "square.png"), np.full((32, 32), 255, np.uint8))
    with pytest.raises(VideofillError, match="another aspect ratio"):
        read_masks(tmp_path / "square.png", 1, (48, 32))
    cv2.imwrite(str(tmp_path / "half.png"), np.full((16, 24), 255, np.uint8))  # same aspect: resized
    with pytest.warns(UserWarning, match="resized"):
        assert read_masks(tmp_path / "half.png", 1, (48, 32)).all()


def test_rgba_alpha_is_ignored():
    image = np.zeros((1, 3, 4), dtype=np.uint8)
    image[0, 0] = (255, 255, 255, 0)
    image[0, 1] = (0, 0, 0, 255)
    image[0, 2] = (200, 200, 200, 128)
    np.testing.assert_array_equal(image_to_holes(image)[0], [True, False, True])


def test_single_image_is_used_for_every_frame(tmp_path):
    hole = block_holes(1)[0]
    cv2.imwrite(str(tmp_path / "one.png"), holes_to_images(hole))
    got = read_masks(tmp_path / "one.png", 5, (48, 32))
    assert got.shape == (5, 32, 48)
    for frame in got:
        np.testing.assert_array_equal(frame, hole)


def test_mask_video(tmp_path):
    holes = block_holes(6)
    grey = np.repeat(holes_to_images(holes)[..., None], 3, axis=3)
    video = write_frames(tmp_path / "masks.mp4", grey, 24)
    np.testing.assert_array_equal(read_masks(video, 6, (48, 32)), holes)
    np.testing.assert_array_equal(read_masks(video, 3, (48, 32), start=2), holes[2:5])
    # a colour mask video (red object), lossy: compression noise must not become hole
    red = np.zeros_like(grey)
    red[holes] = (200, 0, 0)
    video = write_frames(tmp_path / "red.mp4", red, 24)
    got = read_masks(video, 6, (48, 32))
    assert got[holes].all() and not got[~dilate_holes(holes, 1)].any()  # edges blurred by coding may grow by 1 px
    with pytest.raises(VideofillError, match=r"6 masks in .*masks.mp4 but 7 frames in the video"):
        read_masks(tmp_path / "masks.mp4", 7, (48, 32))


def test_jpeg_masks_tolerate_compression_noise(tmp_path):
    holes = block_holes(1)[0]
    red = np.zeros((*holes.shape, 3), np.uint8)
    red[holes] = (0, 0, 220)  # BGR: red
    cv2.imwrite(str(tmp_path / "m.jpg"), red, [cv2.IMWRITE_JPEG_QUALITY, 70])
    got = read_masks(tmp_path / "m.jpg", 1, (48, 32))[0]
    assert got[holes].all() and not got[~dilate_holes(holes, 1)].any()  # edges blurred by JPEG may grow by 1 px


def test_other_size_is_resized_nearest_with_one_warning(tmp_path):
    small = block_holes(3, 16, 24)
    write_masks(tmp_path / "masks", small)
    with pytest.warns(UserWarning, match="nearest neighbour") as record:
        got = read_masks(tmp_path / "masks", 3, (48, 32))
    assert len(record) == 1
    assert "24x16" in str(record[0].message) and "48x32" in str(record[0].message)
    np.testing.assert_array_equal(got, small.repeat(2, axis=1).repeat(2, axis=2))


def test_start_skips_masks(tmp_path):
    holes = block_holes(5)
    write_masks(tmp_path / "masks", holes)
    np.testing.assert_array_equal(read_masks(tmp_path / "masks", 3, (48, 32), start=2), holes[2:])
    with pytest.raises(VideofillError, match="5 masks in"):
        read_masks(tmp_path / "masks", 3, (48, 32), start=3)


def test_count_mismatch(tmp_path):
    write_masks(tmp_path / "masks", block_holes(3))
    with pytest.raises(VideofillError, match=r"^3 masks in .*masks but 4 frames in the video$"):
        read_masks(tmp_path / "masks", 4, (48, 32))
    with pytest.raises(VideofillError, match="3 masks in .* but 2 frames"):
        read_masks(tmp_path / "masks", 2, (48, 32))


def test_unreadable_and_missing_sources_name_the_file(tmp_path):
    write_masks(tmp_path / "masks", block_holes(2))
    (tmp_path / "masks" / "00001.png").write_text("not a png")
    with pytest.raises(VideofillError, match="00001.png"):
        read_masks(tmp_path / "masks", 2, (48, 32))
    with pytest.raises(VideofillError, match="nothing.png"):
        read_masks(tmp_path / "nothing.png", 2, (48, 32))
    (tmp_path / "notes.mp4").write_text("not a video")
    with pytest.raises(VideofillError, match="notes.mp4"):
        read_masks(tmp_path / "notes.mp4", 2, (48, 32))
    (tmp_path / "empty").mkdir()
    with pytest.raises(VideofillError, match="empty"):
        read_masks(tmp_path / "empty", 2, (48, 32))


# integer points (dx, dy) with dx^2 + dy^2 <= r^2 (Gauss circle problem, OEIS A000328)
DISC_AREA = {1: 5, 2: 13, 3: 29, 5: 81, 8: 197}


@pytest.mark.parametrize("pixels", [1, 2, 3, 5, 8])
def test_dilating_one_pixel_gives_a_disc(pixels):
    holes = np.zeros((2, 41, 41), dtype=bool)
    holes[0, 20, 20] = True
    grown = dilate_holes(holes, pixels)
    assert grown.shape == holes.shape and grown.dtype == np.bool_
    assert int(grown[0].sum()) == DISC_AREA[pixels]
    assert abs(DISC_AREA[pixels] - math.pi * pixels**2) < 2 * math.pi * pixels  # ~ the area of a disc of radius p
    np.testing.assert_array_equal(grown[0], grown[0].T)  # symmetric in x and y
    np.testing.assert_array_equal(grown[0], grown[0][::-1])
    assert not grown[1].any()  # frames are independent


def test_dilation_is_everything_within_the_distance():
    rng = np.random.default_rng(1)
    holes = rng.random((3, 30, 40)) < 0.01
    for pixels in (1, 3, 4):
        within = np.stack([distance_transform_edt(~h) <= pixels for h in holes])
        np.testing.assert_array_equal(dilate_holes(holes, pixels), within)


def test_dilate_zero_and_bad_arguments():
    holes = block_holes()
    assert dilate_holes(holes, 0) is holes
    np.testing.assert_array_equal(dilate_holes(holes[0], 2), dilate_holes(holes, 2)[0])
    with pytest.raises(ValueError):
        dilate_holes(holes, -1)
    with pytest.raises(ValueError):
        dilate_holes(holes.astype(np.uint8), 1)


def test_holes_to_images():
    images = holes_to_images(block_holes())
    assert images.dtype == np.uint8 and set(np.unique(images)) == {0, 255}
    np.testing.assert_array_equal(images == 255, block_holes())


# --- property test: any PNG mask folder reads back as the convention says -------------------------------------


def _expected_holes(image: np.ndarray) -> np.ndarray:
    """The convention, computed independently on an image as cv2 writes it (channel order does not matter here)."""
    values = np.round(image / 257.0) if image.dtype == np.uint16 else image.astype(float)
    if values.ndim == 2:
        return values > 0
    return values[..., :3].max(axis=2) > 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 20),
    height=st.integers(1, 20),
    count=st.integers(1, 3),
    dtype=st.sampled_from([np.uint8, np.uint16]),
    channels=st.sampled_from([1, 3, 4]),
    grey=st.booleans(),
    sparse=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_mask_folder_reader_property(width, height, count, dtype, channels, grey, sparse, seed):
    rng = np.random.default_rng(seed)
    top = np.iinfo(dtype).max
    images = []
    for _ in range(count):
        if channels == 1 or grey:  # grey values, stored with 1, 3 or 4 equal channels
            image = rng.integers(0, top + 1, (height, width), dtype=dtype)
            if channels > 1:
                image = np.repeat(image[..., None], channels, axis=2)
                if channels == 4:
                    image[..., 3] = rng.integers(0, top + 1, (height, width))
        else:  # colour: mostly black with a few coloured pixels when sparse
            image = rng.integers(0, top + 1, (height, width, channels), dtype=dtype)
            if sparse:
                image[..., :3][rng.random((height, width)) < 0.7] = 0
        images.append(image)
    with tempfile.TemporaryDirectory() as folder:
        for i, image in enumerate(images):
            assert cv2.imwrite(str(Path(folder) / f"m{i}.png"), image)
        got = read_masks(folder, count, (width, height))
    assert got.dtype == np.bool_ and got.shape == (count, height, width)
    np.testing.assert_array_equal(got, np.stack([_expected_holes(im) for im in images]))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 20),
    height=st.integers(1, 20),
    channels=st.sampled_from([1, 3, 4]),
    grey=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_float_tiff_mask_reader_property(width, height, channels, grey, seed):
    """Float masks in [0, 1] (values outside are clipped) follow the convention at 8 bits: v -> round(v * 255)."""
    rng = np.random.default_rng(seed)
    if channels == 1 or grey:
        image = rng.uniform(-0.2, 1.2, (height, width)).astype(np.float32)
        if channels > 1:
            image = np.repeat(image[..., None], channels, axis=2)
    else:
        image = rng.uniform(-0.2, 1.2, (height, width, channels)).astype(np.float32)
        image[..., :3][rng.random((height, width)) < 0.5] = 0
    as_uint8 = np.floor(np.clip(image.astype(np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)  # the 8-bit mask it stands for
    with tempfile.TemporaryDirectory() as folder:
        assert cv2.imwrite(str(Path(folder) / "m.tif"), image)
        got = read_masks(Path(folder) / "m.tif", 2, (width, height))
    assert got.dtype == np.bool_ and got.shape == (2, height, width)
    np.testing.assert_array_equal(got, np.stack([_expected_holes(as_uint8)] * 2))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32])
def test_signed_integer_masks_are_refused_naming_the_file(tmp_path, dtype):
    for i in range(3):
        name, image = (f"{i:05d}.tif", np.ones((5, 6), dtype)) if i == 1 else (f"{i:05d}.png", np.zeros((5, 6), np.uint8))
        assert cv2.imwrite(str(tmp_path / name), image)
    with pytest.raises(VideofillError, match=r"00001\.tif.*" + np.dtype(dtype).name):
        read_masks(tmp_path, 3, (6, 5))
