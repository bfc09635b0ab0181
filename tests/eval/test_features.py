import math

import numpy as np
import pytest

from videofill.eval.features import cosine_similarity, similarity_map, track_cells, tracked_similarity


def test_cosine_similarity_of_hand_computed_vectors():
    a = np.array([[1.0, 1.0, 2.0, 0.0], [0.0, 1.0, 0.0, 0.0]])  # four 2-vectors, channels first
    b = np.array([[1.0, -1.0, 3.0, 5.0], [1.0, -1.0, 0.0, 1.0]])
    expected = [1 / math.sqrt(2), -1.0, 1.0, 0.0]  # 45 degrees, opposite, parallel, zero vector
    assert cosine_similarity(a, b) == pytest.approx(expected)


def test_track_cells_follows_a_uniform_flow():
    stride = 4
    flow = np.zeros((8, 12, 2), np.float32)
    flow[..., 0] = 4.0  # one cell to the right
    targets, ok = track_cells(flow, stride)
    assert targets.shape == (2, 3, 2)
    assert ok.tolist() == [[True, True, False], [True, True, False]]  # the last column leaves the frame
    assert targets[1, 0].tolist() == [1, 1] and targets[0, 1].tolist() == [0, 2]


def test_track_cells_rounds_to_the_cell_the_moved_centre_falls_in():
    flow = np.zeros((4, 8, 2), np.float32)
    flow[..., 0] = 1.9  # the centre 1.5 moves to 3.4: still cell 0 (pixels 0-3)
    assert track_cells(flow, 4)[0][0, 0].tolist() == [0, 0]
    flow[..., 0] = 2.1  # 3.6 rounds to pixel 4: cell 1
    assert track_cells(flow, 4)[0][0, 0].tolist() == [0, 1]


def test_track_cells_drops_cells_with_too_few_valid_pixels():
    valid = np.ones((4, 8), bool)
    valid[:, :3] = False  # 12 of cell 0's 16 pixels invalid
    _, ok = track_cells(np.zeros((4, 8, 2), np.float32), 4, valid)
    assert ok.tolist() == [[False, True]]


def test_shifted_features_are_found_by_tracking():
    rng = np.random.default_rng(1)
    features_a = rng.normal(size=(16, 4, 6))
    features_b = rng.normal(size=(16, 4, 6))
    features_b[:, :, 1:] = features_a[:, :, :-1]  # the scene moved one cell to the right
    flow = np.zeros((4 * 8, 6 * 8, 2), np.float32)
    flow[..., 0] = 8.0
    result = tracked_similarity(features_a, features_b, flow, stride=8, radius=0)
    assert len(result.tracked) == 4 * 5  # the last column left the frame
    assert result.tracked == pytest.approx(np.ones(20))
    assert result.hits.all()
    assert result.chance == pytest.approx(np.full(20, 1 / 24))
    assert abs(result.random.mean()) < 0.5  # independent 16-d Gaussian vectors (and a few self-pairs)


def test_tracked_similarity_checks_shapes():
    with pytest.raises(ValueError, match="one shape"):
        tracked_similarity(np.zeros((4, 2, 2)), np.zeros((4, 2, 3)), np.zeros((16, 16, 2)), 8)
    with pytest.raises(ValueError, match="does not match"):
        tracked_similarity(np.zeros((4, 2, 2)), np.zeros((4, 2, 2)), np.zeros((16, 8, 2)), 8)


def test_similarity_map_is_one_at_the_reference():
    features = np.random.default_rng(0).normal(size=(8, 3, 5))
    result = similarity_map(features, features[:, 1, 2])
    assert result.shape == (3, 5) and result[1, 2] == pytest.approx(1.0) and (result <= 1 + 1e-9).all()
