import math

import numpy as np
import pytest
import torch

from videofill.fill.flow import (
    FLOW_OFFSETS,
    compute_video_flows,
    estimate_flow,
    forward_backward_valid,
    in_bounds,
    reliable_flow_mask,
    warp,
)


def _constant_flow(dx: float, dy: float, height: int = 12, width: int = 16) -> torch.Tensor:
    flow = torch.zeros(1, 2, height, width)
    flow[:, 0], flow[:, 1] = dx, dy
    return flow


def test_zero_flow_is_identity():
    image = torch.rand(2, 3, 12, 16)
    assert torch.allclose(warp(image, torch.zeros(2, 2, 12, 16)), image, atol=1e-6)


def test_integer_shift_moves_content_by_that_shift():
    image = torch.rand(1, 3, 12, 16)
    out = warp(image, _constant_flow(3, -2))
    # out[y, x] = image[y - 2, x + 3] wherever that pixel exists
    assert torch.allclose(out[..., 2:, :-3], image[..., :-2, 3:], atol=1e-5)
    assert torch.all(out[..., :, -3:] == 0) and torch.all(out[..., :2, :] == 0)  # outside: zero padding


def test_half_pixel_shift_interpolates_bilinearly():
    image = torch.arange(16.0).repeat(1, 1, 4, 1)  # value = x
    out = warp(image, _constant_flow(0.5, 0, 4, 16))
    assert torch.allclose(out[..., :-1], image[..., :-1] + 0.5, atol=1e-5)


def test_in_bounds_marks_samples_that_leave_the_frame():
    mask = in_bounds(_constant_flow(3, 0))
    assert mask[..., :-3].all() and not mask[..., -3:].any()


def test_forward_backward_check_hand_built_occlusion():
    forward = _constant_flow(2, 0)
    backward = _constant_flow(-2, 0)
    backward[..., 4:8, 6:10] = 0.0  # these pixels of frame j disagree: whatever maps onto them is occluded
    valid = forward_backward_valid(forward, backward)[0, 0]
    assert valid[0, 0] and valid[11, 3]  # consistent round trip
    assert not valid[5, 5]  # x + 2 = 7 lands in the disagreeing block: round trip error 2 px > 1.18
    assert not valid[0, 15]  # leaves the frame
    # an error just under the 1.18 px threshold passes, just over fails
    small = _constant_flow(-2 + 1.1, 0)
    large = _constant_flow(-2 + 1.3, 0)
    assert forward_backward_valid(forward, small)[0, 0, 0, 0]
    assert not forward_backward_valid(forward, large)[0, 0, 0, 0]
    assert math.isclose(math.sqrt(2 * math.log(2)), 1.1774, rel_tol=1e-4)


def test_reliable_flow_mask_excludes_hole_of_i_and_warped_hole_of_j():
    known_i = torch.ones(1, 1, 12, 16, dtype=torch.bool)
    known_i[..., 0, 0] = False
    hole_j = torch.zeros(1, 1, 12, 16, dtype=torch.bool)
    hole_j[..., 5, 8] = True
    mask = reliable_flow_mask(known_i, hole_j, _constant_flow(3, 0))[0, 0]
    assert not mask[0, 0]  # hole in i
    assert not mask[5, 5]  # 5 + 3 = 8: sees the hole of j
    assert mask[5, 4] and mask[6, 5]
    assert mask[0, 15]  # out-of-frame samples count as known
    assert mask.sum() == 12 * 16 - 2


def test_estimate_flow_recovers_a_known_translation():
    rng = np.random.default_rng(0)
    base = (rng.random((80, 100, 3)) * 255).astype(np.uint8)
    import cv2

    base = cv2.GaussianBlur(base, (5, 5), 1.5)
    frame_a = base[10:70, 10:90]
    frame_b = base[9:69, 7:87]  # frame_a[y, x] = frame_b[y + 1, x + 3]
    flow = estimate_flow(frame_a, frame_b)
    assert flow.shape == (60, 80, 2) and flow.dtype == np.float32
    assert np.median(flow[..., 0]) == pytest.approx(3.0, abs=0.3)
    assert np.median(flow[..., 1]) == pytest.approx(1.0, abs=0.3)


def test_compute_video_flows_shapes_and_missing_neighbours():
    rng = np.random.default_rng(1)
    frames = (rng.random((7, 24, 32, 3)) * 255).astype(np.uint8)
    holes = np.zeros((7, 24, 32), dtype=bool)
    holes[:, 8:12, 8:12] = True
    flows = compute_video_flows(frames, holes)
    assert flows.flows.shape == (7, 6, 2, 24, 32)
    k = FLOW_OFFSETS.index(5)
    assert not flows.valid[2, k].any() and not flows.reliable[2, k].any()  # frame 7 does not exist
    assert not flows.reliable[0, 0, 0, 8:12, 8:12].any()  # hole of frame i is never reliable
    assert (flows.scale >= 1.0).all()


def test_warp_gradients_match_finite_differences_in_float64():
    """torch.autograd.gradcheck: the analytic gradients of warp (image and flow) against central differences.

    Sample points are kept off the integer grid (bilinear interpolation has kinks there) and inside the frame.
    """
    generator = torch.Generator().manual_seed(0)
    image = torch.rand(1, 2, 6, 7, dtype=torch.float64, generator=generator, requires_grad=True)
    flow = (torch.rand(1, 2, 6, 7, dtype=torch.float64, generator=generator) * 0.6 + 0.2).requires_grad_(True)
    assert torch.autograd.gradcheck(warp, (image, flow), eps=1e-6, atol=1e-5)
