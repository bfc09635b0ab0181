"""Flow-guided propagation against hand-built cases whose answer is known."""

import numpy as np
import pytest

from videofill.propagate import complete_flow, fit_homography, homography_flow, propagate


def _pan(count=7, width=64, height=40, speed=2, seed=0):
    """A textured strip seen through a window that moves right by ``speed`` px per frame (content moves left)."""
    rng = np.random.default_rng(seed)
    world = (rng.random((height, width + speed * count, 3)) * 255).astype(np.uint8)
    frames = np.stack([world[:, speed * t : speed * t + width] for t in range(count)])
    flow = np.zeros((count - 1, height, width, 2), np.float32)
    flow[..., 0] = -speed  # F_{t->t+1}: a pixel of frame t is `speed` px further left in frame t+1
    return frames, flow


def test_homography_of_a_translation_is_that_translation():
    flow = np.zeros((30, 40, 2), np.float32)
    flow[..., 0], flow[..., 1] = 3.0, -1.5
    matrix = fit_homography(flow, np.ones((30, 40), bool))
    np.testing.assert_allclose(matrix / matrix[2, 2], [[1, 0, 3], [0, 1, -1.5], [0, 0, 1]], atol=1e-4)
    np.testing.assert_allclose(homography_flow(matrix, 30, 40), flow, atol=1e-3)


def test_completed_flow_fills_the_hole_with_the_surrounding_motion():
    flow = np.zeros((30, 40, 2), np.float32)
    flow[..., 0] = 2.0
    unknown = np.zeros((30, 40), bool)
    unknown[10:20, 12:25] = True
    garbage = flow.copy()
    garbage[unknown] = 50.0  # the flow of the object being removed
    camera = np.zeros_like(flow)  # a wrong camera model: the surroundings must win
    np.testing.assert_allclose(complete_flow(garbage, camera, unknown)[unknown], flow[unknown], atol=1e-3)


def test_a_pan_is_restored_exactly_from_the_neighbouring_frames():
    frames, flow = _pan(speed=4)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 12:28, 20:36] = True  # a static hole: the pan reveals what it covers in other frames
    damaged = frames.copy()
    damaged[holes] = 0
    result = propagate(damaged, holes, flow, -flow)
    middle = 3
    assert result.seen[middle][holes[middle]].all()
    assert result.trusted[middle][holes[middle]].all()
    np.testing.assert_array_equal(result.frames[middle], frames[middle])
    np.testing.assert_array_equal(result.frames[~holes], frames[~holes])  # known pixels untouched


def test_pixels_never_shown_are_not_seen():
    frames, _ = _pan(speed=0)
    flow = np.zeros((len(frames) - 1, *frames.shape[1:3], 2), np.float32)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 5:15, 5:15] = True  # static camera, static hole: no frame shows the region
    result = propagate(frames, holes, flow, flow)
    assert not result.seen.any() and not result.trusted.any()


def test_disagreeing_copies_are_not_trusted():
    frames, _ = _pan(speed=0)
    flow = np.zeros((len(frames) - 1, *frames.shape[1:3], 2), np.float32)
    holes = np.zeros(frames.shape[:3], bool)
    holes[3, 5:15, 5:15] = True  # only the middle frame has a hole: frames 2 and 4 both show it
    frames = frames.copy()
    frames[4, 5:15, 5:15] = 255 - frames[2, 5:15, 5:15]  # ...but they disagree about what is there
    result = propagate(frames, holes, flow, flow)
    assert result.seen[3][holes[3]].all()
    assert not result.trusted[3][holes[3]].any()
    frames[4, 5:15, 5:15] = frames[2, 5:15, 5:15]  # now they agree
    assert propagate(frames, holes, flow, flow).trusted[3][holes[3]].all()
