import numpy as np

from videofill.fill.motion import (
    camera_is_static,
    complete_flow,
    corner_moves,
    fit_homography,
    homography_flow,
    still_never,
)


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


def test_corner_moves_of_a_shift_and_of_a_zoom():
    shift = np.eye(3)
    shift[:2, 2] = 3, 4
    zoom = np.diag([2.0, 2.0, 1.0])  # each corner moves by its own distance from the origin
    moves = corner_moves(np.stack([shift, zoom]), 10, 20)
    np.testing.assert_allclose(moves[0], 5.0)
    np.testing.assert_allclose(moves[1], [0, 19, 9, np.hypot(19, 9)])


def test_still_never_is_what_no_frame_shows_of_the_holes_that_stay_put():
    holes = np.zeros((4, 20, 40), bool)
    holes[:, 2:6, 2:12] = True  # stays put: never shown, the whole part
    for t in range(4):
        holes[t, 10:16, 20 + 2 * t : 30 + 2 * t] = True  # moves 2 px a frame: 4 of 16 columns never shown
    holes[0, 2:6, 30:34] = True  # in one frame only: nothing never shown
    expected = np.zeros((20, 40), bool)
    expected[2:6, 2:12] = True
    assert np.array_equal(still_never(holes), expected)
    moving = holes.all(axis=0) & ~expected  # its never share: 4 / 16 columns
    assert moving.sum() == 6 * 4 and np.array_equal(still_never(holes, share=0.25), expected | moving)
    assert np.array_equal(still_never(holes, share=0.26), expected)
    black = np.concatenate([holes, np.ones((1, 20, 40), bool)])  # a cut to black: all hole, and left out
    assert np.array_equal(still_never(black), expected)


def test_the_camera_is_static_when_every_homography_moves_the_corners_by_less_than_the_threshold():
    assert camera_is_static(np.repeat(np.eye(3)[None], 2, axis=0), 4, 4)
    assert camera_is_static(np.zeros((0, 3, 3)), 4, 4)  # one frame
    shift = np.eye(3)
    shift[0, 2] = 0.5  # every corner moves 0.5 px: under 0.6
    assert camera_is_static(shift[None], 4, 4)
    shift[0, 2] = 2.0
    assert not camera_is_static(np.stack([np.eye(3), shift]), 4, 4)  # one step that moves is enough
