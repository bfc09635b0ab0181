import torch

from videofill.fill.flow import warp
from videofill.fill.losses import (
    PerceptualLoss,
    consistency_loss,
    flow_loss,
    grow_holes,
    masked_mse,
    reconstruction_loss,
)


def test_masked_mse_counts_masked_elements_in_the_denominator():
    prediction = torch.zeros(1, 1, 2, 2)
    target = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    mask = torch.tensor([[[[True, False], [False, True]]]])
    assert masked_mse(prediction, target, mask).item() == (1 + 16) / 4


def test_reconstruction_loss_zero_on_match_and_blind_to_the_hole():
    target = torch.rand(2, 3, 8, 8)
    holes = torch.zeros(2, 1, 8, 8, dtype=torch.bool)
    holes[..., 2:5, 2:5] = True
    frames = target.clone()
    assert reconstruction_loss(frames, target, ~holes) == 0
    frames[..., 2:5, 2:5] = 0.0  # change only hole pixels
    assert reconstruction_loss(frames, target, ~holes) == 0
    frames[..., 0, 0] += 0.5
    assert reconstruction_loss(frames, target, ~holes) > 0


def test_flow_loss_only_where_weighted():
    target = torch.randn(1, 2, 6, 6)
    weight = torch.zeros(1, 1, 6, 6, dtype=torch.bool)
    weight[..., :3, :] = True
    flows = target.clone()
    flows[..., 3:, :] += 10.0
    assert flow_loss(flows, target, weight) == 0
    flows[..., 0, 0] += 1.0
    assert torch.isclose(flow_loss(flows, target, weight), torch.tensor(2 * 1.0 / (2 * 36)))


def test_consistency_loss_zero_for_a_true_shift_and_detaches_frame_i():
    frame_j = torch.rand(1, 3, 10, 12)
    flow = torch.zeros(1, 2, 10, 12)
    flow[:, 0] = 2.0
    frame_i = warp(frame_j, flow).requires_grad_(True)
    weight = torch.zeros(1, 1, 10, 12, dtype=torch.bool)
    weight[..., :, :-2] = True
    frame_j.requires_grad_(True)
    loss = consistency_loss(frame_i, frame_j, flow, weight)
    assert loss.item() < 1e-10
    consistency_loss(frame_i, frame_j + 0.1, flow, weight).backward()
    assert frame_i.grad is None and frame_j.grad is not None


class _FakeFeatures(torch.nn.Module):
    """Three 'layers': identity, 2x average pool, 4x average pool (no weights needed)."""

    HOLE_GROWTH_PX = (1, 2, 4)

    def forward(self, x):
        return [x, torch.nn.functional.avg_pool2d(x, 2), torch.nn.functional.avg_pool2d(x, 4)]


def test_perceptual_loss_zero_on_match_and_blind_to_the_grown_hole():
    loss = PerceptualLoss(_FakeFeatures())
    target = torch.rand(1, 3, 32, 32)
    holes = torch.zeros(1, 1, 32, 32, dtype=torch.bool)
    holes[..., 12:20, 12:20] = True
    cached = loss.targets(target, holes)
    assert loss(target.clone(), cached) == 0
    changed = target.clone()
    changed[..., 12:20, 12:20] = 1.0 - changed[..., 12:20, 12:20]
    assert loss(changed, cached) == 0
    changed[..., 0, 0] = 1.0 - changed[..., 0, 0]
    assert loss(changed, cached) > 0


def test_grow_holes_square():
    holes = torch.zeros(1, 1, 9, 9, dtype=torch.bool)
    holes[..., 4, 4] = True
    assert grow_holes(holes, 2).sum() == 25


def test_perceptual_loss_with_vgg_layout_never_sees_hole_content():
    """With VGG16's real layer layout (random weights), changing only hole pixels leaves L_p at exactly zero."""
    from videofill.fill.vgg import VGG16Features

    torch.manual_seed(0)
    loss = PerceptualLoss(VGG16Features().eval())
    target = torch.rand(1, 3, 48, 56)
    holes = torch.zeros(1, 1, 48, 56, dtype=torch.bool)
    holes[..., 17:29, 21:30] = True  # odd offsets: not aligned with the pooling grid
    cached = loss.targets(target, holes)
    changed = target.clone()
    changed[:, :, 17:29, 21:30] = torch.rand(1, 3, 12, 9)
    assert loss(changed, cached).item() == 0.0
    changed[..., 2, 2] += 0.5  # a known pixel changes: the loss must notice
    assert loss(changed, cached).item() > 0


def test_perceptual_loss_equals_the_element_wise_formula():
    """The cached, pre-masked form equals sum over layers of mean((known * (f(x) - f(y)))^2), in both layouts."""
    torch.manual_seed(0)
    features = _FakeFeatures()
    target, frames = torch.rand(2, 3, 32, 40), torch.rand(2, 3, 32, 40)
    holes = torch.zeros(2, 1, 32, 40, dtype=torch.bool)
    holes[0, :, 5:14, 9:22] = True
    expected = 0.0
    for feature, target_feature, growth in zip(features(frames), features(target), features.HOLE_GROWTH_PX):
        hole_cells = torch.nn.functional.adaptive_max_pool2d(holes.float(), feature.shape[-2:]) > 0
        known = ~grow_holes(hole_cells, growth)
        expected += ((known * (feature - target_feature)) ** 2).mean().item()
    loss = PerceptualLoss(features)
    for layout in (torch.contiguous_format, torch.channels_last):
        x, y = frames.contiguous(memory_format=layout), target.contiguous(memory_format=layout)
        assert abs(loss(x, loss.targets(y, holes)).item() - expected) < 1e-6 * expected


def test_perceptual_loss_under_bf16_autocast_matches_the_element_wise_formula():
    """With VGG16's layout (random weights) under CPU bf16 autocast and channels_last, as the default preset runs it."""
    from videofill.fill.vgg import VGG16Features

    torch.manual_seed(0)
    features = VGG16Features().eval().to(memory_format=torch.channels_last)
    loss = PerceptualLoss(features)
    target = torch.rand(2, 3, 32, 40).contiguous(memory_format=torch.channels_last)
    frames = torch.rand(2, 3, 32, 40).contiguous(memory_format=torch.channels_last)
    holes = torch.zeros(2, 1, 32, 40, dtype=torch.bool)
    holes[1, :, 9:20, 4:17] = True
    with torch.autocast("cpu", dtype=torch.bfloat16):
        measured = loss(frames, loss.targets(target, holes)).item()
        expected = 0.0
        for feature, target_feature, growth in zip(features(frames), features(target), loss.growth):
            known = ~grow_holes(torch.nn.functional.adaptive_max_pool2d(holes.float(), feature.shape[-2:]) > 0, growth)
            expected += ((known * (feature.float() - target_feature.float())) ** 2).mean().item()
    assert abs(measured - expected) < 1e-5 * expected


def test_consistency_loss_gradients_match_finite_differences_in_float64():
    """gradcheck of L_c with respect to the neighbour frame and the flow (frame i is detached by design)."""
    from videofill.fill.losses import consistency_loss

    generator = torch.Generator().manual_seed(1)
    frames_i = torch.rand(1, 3, 5, 6, dtype=torch.float64, generator=generator)
    frames_j = torch.rand(1, 3, 5, 6, dtype=torch.float64, generator=generator, requires_grad=True)
    flow = (torch.rand(1, 2, 5, 6, dtype=torch.float64, generator=generator) * 0.6 + 0.2).requires_grad_(True)
    weight = torch.rand(1, 1, 5, 6, generator=generator) > 0.3

    def loss(neighbour, flow_ij):
        return consistency_loss(frames_i, neighbour, flow_ij, weight)

    assert torch.autograd.gradcheck(loss, (frames_j, flow), eps=1e-6, atol=1e-5)
