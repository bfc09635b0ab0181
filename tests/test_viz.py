"""Tests of videofill.viz: sizes, non-blank output, and the colour / geometry each figure must show."""

import cv2
import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.viz import (
    comparison_figure,
    flow_to_color,
    loss_curve_image,
    loss_curve_png,
    outline_holes,
    save_image,
    side_by_side,
    temporal_slice,
    temporal_slice_figure,
)


def _hue(rgb_pixel):
    return int(cv2.cvtColor(np.asarray(rgb_pixel, np.uint8).reshape(1, 1, 3), cv2.COLOR_RGB2HSV)[0, 0, 0])


# ---------------------------------------------------------------------------------------------------------------- flow


def test_flow_to_color_direction_sets_hue():
    right = np.zeros((8, 8, 2), np.float32)
    right[..., 0] = 2.0
    left = -right
    down = right[..., ::-1].copy()
    colours = [flow_to_color(f) for f in (right, left, down)]
    for image in colours:
        assert image.shape == (8, 8, 3) and image.dtype == np.uint8
        assert (image == image[0, 0]).all()  # uniform flow -> one colour
    assert tuple(colours[0][0, 0]) == (255, 0, 0)  # rightward: red, full value
    assert tuple(colours[1][0, 0]) == (0, 255, 255)  # leftward: cyan
    hues = [_hue(image[0, 0]) for image in colours]
    assert len(set(hues)) == 3


def test_flow_to_color_value_is_magnitude():
    flow = np.zeros((4, 10, 2), np.float32)
    flow[..., 0] = np.arange(10, dtype=np.float32)  # magnitude 0..9 rightward
    image = flow_to_color(flow)
    assert image[0, 0].max() == 0  # zero flow: black
    assert image[0, 9, 0] == 255  # the largest magnitude: full value
    assert np.all(np.diff(image[0, :, 0].astype(int)) > 0)  # brighter with magnitude
    assert image.std() > 0
    half = flow_to_color(flow, max_magnitude=18.0)  # a shared scale: the same flow looks half as bright
    assert abs(int(half[0, 9, 0]) - 128) <= 1
    assert flow_to_color(np.zeros((3, 3, 2))).max() == 0
    with pytest.raises(ValueError):
        flow_to_color(np.zeros((3, 3, 3)))


# ------------------------------------------------------------------------------------------------------ temporal slices


def test_temporal_slice_stacks_one_row_of_every_frame():
    frames = np.random.default_rng(0).integers(0, 256, (5, 6, 7, 3), dtype=np.uint8)
    strip = temporal_slice(frames, 2)
    assert strip.shape == (5, 7, 3)
    for t in range(5):
        assert np.array_equal(strip[t], frames[t, 2])
    with pytest.raises(VideofillError, match="row 6"):
        temporal_slice(frames, 6)


def test_temporal_slice_figure(tiny_case):
    frames, holes = tiny_case
    count, height, width = holes.shape
    figure = temporal_slice_figure({"input": frames, "GT": frames}, row=24, holes=holes)
    assert figure.dtype == np.uint8 and figure.ndim == 3 and figure.std() > 0
    # sample frame + 2 slices side by side, each at least the frame's width, slices at least a frame tall
    assert figure.shape[1] >= 3 * width
    assert figure.shape[0] >= height
    yellow = np.all(figure == (255, 255, 0), axis=-1)
    assert yellow.sum() >= width - 2  # the row marker on the sample frame
    assert np.all(figure == (255, 0, 0), axis=-1).any()  # hole outline
    with pytest.raises(ValueError):
        temporal_slice_figure({"a": frames, "b": frames[:, :40]}, row=3)


# ---------------------------------------------------------------------------------------------------------- outlines


def test_outline_holes_draws_on_boundary_only():
    frames = np.zeros((2, 20, 20, 3), np.uint8)
    holes = np.zeros((2, 20, 20), bool)
    holes[0, 5:15, 5:15] = True
    out = outline_holes(frames, holes)
    red = np.all(out == (255, 0, 0), axis=-1)
    assert out.shape == frames.shape and not frames.any()  # input untouched
    assert red[0, 5, 5:15].all() and red[0, 14, 5:15].all() and red[0, 5:15, 5].all()
    assert not red[0, 7:13, 7:13].any()  # interior not filled
    assert not red[0][~holes[0]].any()  # nothing outside the hole
    assert not red[1].any()  # no hole, no outline
    single = outline_holes(frames[0], holes[0], color=(0, 255, 0))
    assert single.shape == (20, 20, 3) and single[5, 5, 1] == 255


# ------------------------------------------------------------------------------------------ side by side, comparisons


def test_side_by_side_shape_and_content():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (3, 40, 60, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (3, 40, 50, 3), dtype=np.uint8)
    out = side_by_side([a, b], ["input", "result"])
    assert out.shape == (3, 40, 110, 3)
    assert np.array_equal(out[:, 30:, :60], a[:, 30:])  # label only in the top-left corner
    assert np.array_equal(out[:, 30:, 60:], b[:, 30:])
    assert not np.array_equal(out[:, :10, :20], a[:, :10, :20])  # the label is there
    with pytest.raises(ValueError):
        side_by_side([a, b[:2]], ["x", "y"])
    with pytest.raises(ValueError):
        side_by_side([a], ["x", "y"])


def test_comparison_figure(tiny_case):
    frames, _ = tiny_case
    images = {"input": frames[0], "DIP": frames[1], "ours": frames[2]}
    figure = comparison_figure(images)
    height, width = frames.shape[1:3]
    assert figure.shape[0] > height and figure.shape[1] >= 3 * width and figure.std() > 0
    grid = comparison_figure(images, columns=2)
    assert grid.shape[0] > 2 * height and grid.shape[1] < figure.shape[1]
    # the first frame appears unchanged below its label
    found = cv2.matchTemplate(figure, frames[0], cv2.TM_SQDIFF)
    y, x = np.unravel_index(np.argmin(found), found.shape)
    assert y > 0 and np.array_equal(figure[y : y + height, x : x + width], frames[0])


# ---------------------------------------------------------------------------------------------------------- loss curves


def test_loss_curve_png(tmp_path):
    history = {"total": list(np.geomspace(1.0, 1e-3, 50)), "flow": list(np.geomspace(0.1, 0.05, 50)), "bad": [0, -1.0]}
    path = loss_curve_png(history, tmp_path / "sub" / "losses.png", steps=list(range(0, 500, 10)))
    image = cv2.imread(str(path))[..., ::-1]
    assert image.shape == (420, 720, 3) and image.std() > 0
    # the two curves' colours are drawn
    assert np.all(image == (31, 119, 180), axis=-1).sum() > 50
    assert np.all(image == (255, 127, 14), axis=-1).sum() > 20
    with pytest.raises(ValueError):
        loss_curve_image({"bad": [0.0, float("nan")]})


def test_loss_curve_is_log_scale():
    """A geometric series is a straight line on a log axis: its pixel rows fall evenly with the step."""
    image = loss_curve_image({"x": [10.0 ** (-k) for k in range(4)]}, size=(700, 400))
    blue = np.all(image == (31, 119, 180), axis=-1)
    columns = np.flatnonzero(blue.any(axis=0))
    rows = np.array([np.flatnonzero(blue[:, c]).mean() for c in columns])
    slope, intercept = np.polyfit(columns, rows, 1)
    assert np.abs(rows - (slope * columns + intercept)).max() < 2.5


# ---------------------------------------------------------------------------------------------------------------- files


def test_save_image_round_trip(tmp_path):
    image = np.random.default_rng(2).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    path = save_image(tmp_path / "a" / "x.png", image)
    assert np.array_equal(cv2.imread(str(path))[..., ::-1], image)  # RGB kept
    with pytest.raises(VideofillError):
        save_image(tmp_path / "x.unknown-format", image)
