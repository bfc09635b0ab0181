import numpy as np

from videofill.fill.motion import complete_flow, corner_moves, fit_homography, homography_flow


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
