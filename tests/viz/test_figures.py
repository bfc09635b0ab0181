"""Tests of videofill.viz.figures: sizes, labels where they belong, and the frames unchanged beside them."""

import cv2
import numpy as np
import pytest

from videofill.viz.figures import comparison_figure, side_by_side


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
