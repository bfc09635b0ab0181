"""Optical flow: estimation between input frames, backward warping, occlusion and the reliable-flow mask.

Conventions (stated once, used everywhere):

- A flow ``F_ij`` is in pixels, x then y. Pixel ``x`` of frame ``i`` corresponds to ``x + F_ij(x)`` in frame ``j``.
  In numpy a single flow is float32 ``(H, W, 2)``; in torch a batch of flows is ``(B, 2, H, W)``.
- Backward warping ``warp(I_j, F_ij)`` samples ``I_j`` at ``x + F_ij(x)`` and so brings frame ``j`` into frame ``i``.
  It uses bilinear ``grid_sample`` with zero padding and ``align_corners=True`` (the normalisation by ``W - 1`` and
  ``H - 1`` that the paper's implementation uses); a zero flow is the identity.
- The network predicts flows to the six neighbours ``FLOW_OFFSETS``; channel pair ``2k, 2k + 1`` of its flow head is
  the flow to frame ``i + FLOW_OFFSETS[k]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

#: Neighbour offsets of the six flows the generator predicts, in the order of its flow-head channels.
FLOW_OFFSETS: tuple[int, ...] = (1, -1, 3, -3, 5, -5)

#: Forward-backward check: a pixel is valid when exp(-|F_ij + F_ji(x + F_ij)|^2 / 2) > 0.5, i.e. the
#: round-trip error is under sqrt(2 ln 2) ~ 1.18 px (the threshold of the paper's released code).
FB_MAX_SQUARED_ERROR = 2.0 * math.log(2.0)


class FlowEstimator(Protocol):
    """Anything that maps two uint8 RGB frames (H, W, 3) to the flow from the first to the second, float32 (H, W, 2)."""

    def __call__(self, frame_a: np.ndarray, frame_b: np.ndarray) -> np.ndarray: ...


class DISFlow:
    """OpenCV's Dense Inverse Search flow: classical, fast on a CPU, needs no weights (the default estimator).

    Args:
        preset: ``"ultrafast"``, ``"fast"`` or ``"medium"`` (OpenCV's DIS presets).
    """

    _PRESETS = {
        "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
        "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
        "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
    }

    def __init__(self, preset: str = "medium") -> None:
        self._dis = cv2.DISOpticalFlow_create(self._PRESETS[preset])

    def __call__(self, frame_a: np.ndarray, frame_b: np.ndarray) -> np.ndarray:
        grey_a = cv2.cvtColor(np.ascontiguousarray(frame_a), cv2.COLOR_RGB2GRAY)
        grey_b = cv2.cvtColor(np.ascontiguousarray(frame_b), cv2.COLOR_RGB2GRAY)
        return self._dis.calc(grey_a, grey_b, None).astype(np.float32)


def estimate_flow(frame_a: np.ndarray, frame_b: np.ndarray, estimator: FlowEstimator | None = None) -> np.ndarray:
    """Flow from ``frame_a`` to ``frame_b``.

    Args:
        frame_a, frame_b: uint8 (H, W, 3) RGB frames.
        estimator: a :class:`FlowEstimator`; OpenCV DIS (medium) when None.

    Returns:
        float32 (H, W, 2) flow in pixels, x then y: ``frame_a[y, x] ~ frame_b[y + f[..., 1], x + f[..., 0]]``.
    """
    if frame_a.shape != frame_b.shape or frame_a.ndim != 3 or frame_a.shape[2] != 3:
        raise ValueError(f"expected two (H, W, 3) frames of one size, got {frame_a.shape} and {frame_b.shape}")
    return (estimator or DISFlow())(frame_a, frame_b)


def warp(image: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Backward warp: sample ``image`` at ``x + flow(x)`` (bilinear, zero outside, align_corners=True).

    Args:
        image: (B, C, H, W) any float values.
        flow: (B, 2, H, W) in pixels, x then y.

    Returns:
        (B, C, H, W): ``out[..., y, x] = image[..., y + flow_y, x + flow_x]``; 0 where the sample leaves the frame.
    """
    if flow.ndim != 4 or flow.shape[1] != 2 or flow.shape[-2:] != image.shape[-2:] or flow.shape[0] != image.shape[0]:
        raise ValueError(f"expected (B, 2, H, W) flow matching image {tuple(image.shape)}, got {tuple(flow.shape)}")
    _, _, height, width = image.shape
    ys, xs = torch.meshgrid(
        torch.arange(height, device=flow.device, dtype=flow.dtype),
        torch.arange(width, device=flow.device, dtype=flow.dtype),
        indexing="ij",
    )
    sample_x = xs + flow[:, 0]  # (B, H, W)
    sample_y = ys + flow[:, 1]
    grid = torch.stack(
        (2.0 * sample_x / max(width - 1, 1) - 1.0, 2.0 * sample_y / max(height - 1, 1) - 1.0), dim=-1
    )  # (B, H, W, 2) in [-1, 1]
    return F.grid_sample(image, grid.to(image.dtype), mode="bilinear", padding_mode="zeros", align_corners=True)


def in_bounds(flow: torch.Tensor) -> torch.Tensor:
    """Pixels whose flow target lies inside the frame: the warp of a ones image, thresholded near 1.

    Args:
        flow: (B, 2, H, W) in pixels.

    Returns:
        bool (B, 1, H, W).
    """
    ones = torch.ones_like(flow[:, :1])
    return warp(ones, flow) > 0.999


def forward_backward_valid(flow_ij: torch.Tensor, flow_ji: torch.Tensor) -> torch.Tensor:
    """Occlusion validity ``O_ij`` by the forward-backward check.

    A pixel is valid when following ``F_ij`` and then ``F_ji`` returns within about 1.18 px of where it started:
    ``|F_ij(x) + F_ji(x + F_ij(x))|^2 < 2 ln 2``.

    Args:
        flow_ij, flow_ji: (B, 2, H, W) flows in pixels.

    Returns:
        bool (B, 1, H, W), True where the flow ``F_ij`` is trusted.
    """
    round_trip = flow_ij + warp(flow_ji, flow_ij)
    return (round_trip.square().sum(dim=1, keepdim=True) < FB_MAX_SQUARED_ERROR) & in_bounds(flow_ij)


def reliable_flow_mask(known_i: torch.Tensor, hole_j: torch.Tensor, flow_ij: torch.Tensor) -> torch.Tensor:
    """The reliable-flow mask ``M^f_ij``: known in frame ``i`` and known in frame ``j`` warped into ``i``.

    The warped hole is binarised with ``> 0`` (so it grows by up to a pixel); samples outside the frame count as known.

    Args:
        known_i: bool (B, 1, H, W), True where frame i is known.
        hole_j: bool (B, 1, H, W), True in the hole of frame j.
        flow_ij: (B, 2, H, W) flow from i to j in pixels.

    Returns:
        bool (B, 1, H, W).
    """
    warped_hole = warp(hole_j.to(flow_ij.dtype), flow_ij) > 0
    return known_i & ~warped_hole


@dataclass
class VideoFlows:
    """Flows between the input frames, with their validity, for every frame and each of ``FLOW_OFFSETS``.

    Attributes:
        flows: float32 (T, K, 2, H, W) in pixels; ``flows[i, k]`` is ``F_{i, i + FLOW_OFFSETS[k]}``, zero where that
            neighbour is outside the video.
        valid: bool (T, K, 1, H, W): neighbour exists, forward-backward check passes, and the target is in the frame.
        reliable: bool (T, K, 1, H, W): the reliable-flow mask ``M^f`` (False where the neighbour does not exist).
        scale: float32 (K,): per-offset normalisation, the largest flow magnitude of that stride over the video (at least
            1 px); the network predicts ``flow / scale``.
    """

    flows: torch.Tensor
    valid: torch.Tensor
    reliable: torch.Tensor
    scale: torch.Tensor

    def to(self, device: torch.device | str) -> "VideoFlows":
        return VideoFlows(*(t.to(device) for t in (self.flows, self.valid, self.reliable, self.scale)))


def compute_video_flows(
    frames: np.ndarray,
    holes: np.ndarray,
    offsets: Sequence[int] = FLOW_OFFSETS,
    estimator: FlowEstimator | None = None,
) -> VideoFlows:
    """Estimate every flow the method needs, with occlusion validity and the reliable-flow mask.

    Args:
        frames: uint8 (T, H, W, 3) input frames at the working resolution (they still show the object to remove).
        holes: bool (T, H, W), True = hole.
        offsets: neighbour offsets; each stride should appear in both directions for the forward-backward check.
        estimator: flow estimator; OpenCV DIS when None.

    Returns:
        :class:`VideoFlows` on the CPU.
    """
    estimator = estimator or DISFlow()
    count, height, width = holes.shape
    pair_flows: dict[tuple[int, int], torch.Tensor] = {}
    for i in range(count):
        for offset in offsets:
            j = i + offset
            if 0 <= j < count:
                pair_flows[i, j] = torch.from_numpy(estimator(frames[i], frames[j])).permute(2, 0, 1)
    flows = torch.zeros(count, len(offsets), 2, height, width)
    valid = torch.zeros(count, len(offsets), 1, height, width, dtype=torch.bool)
    reliable = torch.zeros_like(valid)
    hole_t = torch.from_numpy(holes)[:, None]  # (T, 1, H, W)
    for i in range(count):
        for k, offset in enumerate(offsets):
            j = i + offset
            if not 0 <= j < count:
                continue
            flow_ij = pair_flows[i, j][None]
            flows[i, k] = flow_ij[0]
            backward = pair_flows.get((j, i))
            fb_ok = forward_backward_valid(flow_ij, backward[None]) if backward is not None else in_bounds(flow_ij)
            valid[i, k] = fb_ok[0]
            reliable[i, k] = reliable_flow_mask(~hole_t[i : i + 1], hole_t[j : j + 1], flow_ij)[0]
    magnitudes = flows.square().sum(dim=2).sqrt().amax(dim=(0, 2, 3))  # (K,)
    scale = torch.zeros(len(offsets))
    for k, offset in enumerate(offsets):
        same_stride = [m for m, other in enumerate(offsets) if abs(other) == abs(offset)]
        scale[k] = max(float(magnitudes[same_stride].max()), 1.0)
    return VideoFlows(flows=flows, valid=valid, reliable=reliable, scale=scale)
