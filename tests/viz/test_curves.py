"""Tests of videofill.viz.curves: the curves' colours are drawn, on a log axis."""

import cv2
import numpy as np
import pytest

from videofill.viz.curves import loss_curve_image, loss_curve_png


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
