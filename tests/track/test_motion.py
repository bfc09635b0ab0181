"""videofill.track.motion: what moves unlike the camera stands out; a box starts GrabCut from it."""

import cv2
import numpy as np

from videofill.track import Mark, mark_to_mask
from videofill.track.motion import motion_residual
from videofill.track.scores import region_j


def _scene(shift_bg, shift_obj, t=4, h=96, w=128, seed=0):
    """frames uint8 (t, h, w, 3): a textured background panning by shift_bg px/frame and a textured square
    (rows 30..60, cols 40..70 on frame 0) moving by shift_obj px/frame; and frame 0's object, bool (h, w)."""
    rng = np.random.default_rng(seed)
    big = cv2.GaussianBlur(rng.uniform(0, 255, (h, w + 40, 3)).astype(np.float32), (0, 0), 2.0)
    big = np.clip((big - big.mean()) * 4 + 128, 0, 255).astype(np.uint8)
    obj = cv2.GaussianBlur(rng.uniform(0, 255, (30, 30, 3)).astype(np.float32), (0, 0), 1.5)
    obj = np.clip((obj - obj.mean()) * 4 + 128, 0, 255).astype(np.uint8)
    frames = []
    for k in range(t):
        img = big[:, k * shift_bg: k * shift_bg + w].copy()
        x = 40 + k * shift_obj
        img[30:60, x: x + 30] = obj
        frames.append(img)
    truth = np.zeros((h, w), bool)
    truth[30:60, 40:70] = True
    return np.stack(frames), truth


def test_the_moving_square_stands_out():
    frames, truth = _scene(shift_bg=2, shift_obj=-3)
    r = motion_residual(frames[0], [frames[3]], (30, 20, 80, 70))
    assert r.shape == truth.shape and r.dtype == np.float32
    core = cv2.erode(truth.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    far = cv2.dilate(truth.astype(np.uint8), np.ones((31, 31), np.uint8)) == 0
    # the square moves 15 px against the background over 3 frames; the background's residual is ~1 by construction
    assert np.median(r[core]) > 5
    assert np.median(r[far]) < 1.5


def test_no_other_frame_or_no_outside_gives_none():
    frames, _ = _scene(2, -3)
    assert motion_residual(frames[0], [], (30, 20, 80, 70)) is None
    assert motion_residual(frames[0], [frames[1]], (0, 0, 128, 96)) is None


def test_box_with_motion_takes_the_square():
    frames, truth = _scene(shift_bg=2, shift_obj=-3)
    box = (30, 20, 80, 70)  # the square with a wide margin of background texture of the same kind
    moving = motion_residual(frames[0], [frames[3]], box)
    with_motion = mark_to_mask(frames[0], Mark(0, box=box), moving=moving)
    assert region_j(with_motion, truth) >= 0.8
