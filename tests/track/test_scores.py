"""J and F of videofill.track.scores against values worked out by hand."""

import numpy as np
import pytest

from videofill.track.scores import boundary_f, boundary_map, mask_scores, region_j


def test_j_of_overlapping_blocks():
    pred = np.zeros((4, 4), bool)
    truth = np.zeros((4, 4), bool)
    pred[0:2, 0:2] = True  # 4 pixels
    truth[0:2, 1:3] = True  # 4 pixels, 2 shared
    assert region_j(pred, truth) == pytest.approx(2 / 6)


def test_j_of_two_empty_masks_is_one():
    assert region_j(np.zeros((3, 3), bool), np.zeros((3, 3), bool)) == 1.0


def test_j_of_one_empty_mask_is_zero():
    truth = np.zeros((3, 3), bool)
    truth[1, 1] = True
    assert region_j(np.zeros((3, 3), bool), truth) == 0.0


def test_boundary_of_one_pixel():
    m = np.zeros((5, 5), bool)
    m[2, 2] = True
    expected = np.zeros((5, 5), bool)
    expected[1, 1] = expected[1, 2] = expected[2, 1] = expected[2, 2] = True  # left, top, top-left neighbours + itself
    assert np.array_equal(boundary_map(m), expected)


def test_f_of_two_pixels_two_apart():
    # boundaries {(1,1),(1,2),(2,1),(2,2)} and {(1,3),(1,4),(2,3),(2,4)}: within 1 px are 2 of 4 each way
    pred = np.zeros((5, 8), bool)
    truth = np.zeros((5, 8), bool)
    pred[2, 2] = True
    truth[2, 4] = True
    assert boundary_f(pred, truth, tolerance=1) == pytest.approx(0.5)
    # default tolerance: 0.8 % of the diagonal (9.4 px) rounds up to 1 px
    assert boundary_f(pred, truth) == pytest.approx(0.5)


def test_f_identical_far_and_empty():
    a = np.zeros((40, 40), bool)
    a[5:15, 5:15] = True
    b = np.zeros((40, 40), bool)
    b[25:35, 25:35] = True
    assert boundary_f(a, a) == 1.0
    assert boundary_f(a, b) == 0.0
    assert boundary_f(np.zeros_like(a), np.zeros_like(a)) == 1.0
    assert boundary_f(np.zeros_like(a), a) == 0.0


def test_mask_scores_means_leave_out_first_and_last():
    truth = np.zeros((4, 4, 4), bool)
    truth[:, 0:2, 0:2] = True
    pred = truth.copy()
    pred[0] = False  # first: J 0, not averaged
    pred[2, 0:2, 2:4] = True  # J 4/8
    s = mask_scores(pred, truth)
    assert s["frames"] == [1, 2]
    assert s["J"][0] == 0.0 and s["J"][1] == 1.0
    assert s["J"][2] == pytest.approx(0.5)
    assert s["J_mean"] == pytest.approx(0.75)
    assert 0 <= s["F_mean"] <= 1 and s["JF_mean"] == pytest.approx((s["J_mean"] + s["F_mean"]) / 2)
    assert mask_scores(pred, truth, exclude=[0])["frames"] == [1, 2, 3]


def test_mask_scores_rejects_other_shapes():
    with pytest.raises(ValueError):
        mask_scores(np.zeros((2, 3, 3), bool), np.zeros((2, 3, 4), bool))
