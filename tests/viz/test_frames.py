"""Tests of videofill.viz.frames: the flow colours and the hole outline each must show."""

import cv2
import numpy as np
import pytest

from videofill.viz.frames import flow_to_color, outline_holes


def _hue(rgb_pixel):
    return int(cv2.cvtColor(np.asarray(rgb_pixel, np.uint8).reshape(1, 1, 3), cv2.COLOR_RGB2HSV)[0, 0, 0])


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
