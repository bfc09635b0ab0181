"""The four losses of section 3.1: image generation L_r, flow generation L_f, consistency L_c, perceptual L_p.

Each term is a mean squared error over the whole masked tensor: masked-out elements count in the denominator, as in
the paper's released implementation. Masks here are float or bool tensors that broadcast against their operands;
``known`` is True where the input frame is known (the complement of the hole).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from videofill.fill.flow import warp


@dataclass(frozen=True)
class LossWeights:
    """Weights of the four terms (the paper's: 1, 0.1, 1, 0.01)."""

    reconstruction: float = 1.0  # w_r, image generation loss on the known region
    flow: float = 0.1  # w_f, flow generation loss on reliable, unoccluded flow
    consistency: float = 1.0  # w_c, generated frame vs warped generated neighbour, in the hole
    perceptual: float = 0.01  # w_p, VGG16 feature loss on the known region
    guide: float = 0.0  # w_g, not in the paper: pull hole pixels towards flow-guided propagation (0 = off)


def masked_mse(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``mean((mask * (prediction - target)) ** 2)`` over all elements (masked-out ones count in the mean).

    Args:
        prediction, target: tensors of one shape.
        mask: bool or float tensor broadcastable to that shape.

    Returns:
        scalar tensor.
    """
    return (mask.to(prediction.dtype) * (prediction - target)).square().mean()


def reconstruction_loss(frames: torch.Tensor, targets: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """L_r (eq. 3): squared error of the generated frames on the known region.

    Args:
        frames: (N, 3, H, W) generated, in [0, 1].
        targets: (N, 3, H, W) input frames, in [0, 1].
        known: bool (N, 1, H, W).
    """
    return masked_mse(frames, targets, known)


def guide_loss(frames: torch.Tensor, guide: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """L_g (not in the paper): squared error of the generated frames against propagated pixels inside the hole.

    Args:
        frames: (N, 3, H, W) generated, in [0, 1].
        guide: (N, 3, H, W) frames with hole pixels filled by propagation (``videofill.fill.propagate``), in [0, 1].
        weight: float (N, 1, H, W) in [0, 1]: 1 on hole pixels whose fill is confirmed, less on the others, 0 on
            known pixels (the weight multiplies the error before squaring, as in :func:`masked_mse`).
    """
    return masked_mse(frames, guide, weight)


def flow_loss(flows: torch.Tensor, target_flows: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """L_f (eq. 4): squared error of the generated flows where the estimated flow is reliable and unoccluded.

    Args:
        flows: (N, 2, H, W) generated flows (normalised units, see ``VideoFlows.scale``).
        target_flows: (N, 2, H, W) estimated flows in the same units.
        weight: bool (N, 1, H, W), ``O_ij & M^f_ij``.
    """
    return masked_mse(flows, target_flows, weight)


def consistency_loss(
    frames_i: torch.Tensor, frames_j: torch.Tensor, flows_ij: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """L_c (eq. 5): the generated neighbour ``j`` warped by the generated flow must match generated frame ``i``.

    Frame ``i`` is detached (as in the paper's implementation), so the gradient goes to the neighbour and the flow.

    Args:
        frames_i, frames_j: (N, 3, H, W) generated frames.
        flows_ij: (N, 2, H, W) generated flows from i to j, in pixels.
        weight: bool (N, 1, H, W): ``1 - M^f_ij`` (the hole and what the warp brings from the neighbour's hole) and in
            bounds of the warp.
    """
    return masked_mse(warp(frames_j, flows_ij), frames_i.detach(), weight)


def grow_holes(holes: torch.Tensor, pixels: int) -> torch.Tensor:
    """Dilate bool holes (N, 1, H, W) by ``pixels`` with a square structuring element (max pooling)."""
    if pixels <= 0:
        return holes
    grown = F.max_pool2d(holes.float(), kernel_size=2 * pixels + 1, stride=1, padding=pixels)
    return grown > 0


def downsample_holes(holes: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bring bool holes (N, 1, H, W) to a feature map's (h, w): a cell is hole when any of its pixels is."""
    if holes.shape[-2:] == size:
        return holes
    return F.adaptive_max_pool2d(holes.float(), size) > 0


class PerceptualLoss(nn.Module):
    """L_p (eq. 6): VGG16 relu1_2, relu2_2, relu3_3 features compared on the known region.

    The mask at each layer is the hole reduced to the layer's grid (a cell is hole when any of its pixels is), then
    grown by that layer's reach in layer pixels (``features.HOLE_GROWTH_PX``), so known-region features whose
    receptive field touches the hole are left out. The VGG weights get no gradient; the target features are
    computed once per batch of frames (:meth:`targets`) and reused for every step on it.

    Args:
        features: a ``videofill.fill.vgg.VGG16Features`` (or any module returning a list of 3 feature maps and
            carrying ``HOLE_GROWTH_PX``).
    """

    def __init__(self, features: nn.Module) -> None:
        super().__init__()
        self.features = features
        self.growth = tuple(getattr(features, "HOLE_GROWTH_PX", (2, 3, 5)))

    @torch.no_grad()
    def targets(self, frames: torch.Tensor, holes: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per layer (target features on the known region, known mask at that layer) for input frames
        (N, 3, H, W) and holes (N, 1, H, W). The targets are float32 and already masked (zero in the hole) and the
        masks (N, 1, h, w) are in the features' dtype, so a step only masks its own features."""
        out = []
        for feature, growth in zip(self.features(frames), self.growth):
            # reduce to the layer's grid first, then grow by the layer's reach in that layer's own pixels
            known = ~grow_holes(downsample_holes(holes, tuple(feature.shape[-2:])), growth)
            mask = known.to(feature.dtype)
            out.append(((feature * mask).float(), mask))
        return out

    def forward(self, frames: torch.Tensor, targets: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
        """Sum over layers of the masked squared feature error (:func:`masked_mse` with the mask applied to both
        sides, ``mask * a - mask * b``, which is the same for a 0/1 mask). frames: (N, 3, H, W) generated, in
        [0, 1]; ``targets`` from :meth:`targets`."""
        loss = frames.new_zeros((), dtype=torch.float32)
        for feature, (target, mask) in zip(self.features(frames), targets):
            loss = loss + F.mse_loss((feature * mask.to(feature.dtype)).float(), target)
        return loss
