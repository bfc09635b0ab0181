"""From a trained generator to the output frames: generation, bringing the fill to full size, compositing.

As in the paper's implementation, frames are generated on windows of N frames with BatchNorm still in training mode
(its statistics are those of a batch, as during training), and each frame is taken from the window where it is the
centre. The fill replaces hole pixels only: every pixel outside the hole is the input's pixel, exactly.
"""

from __future__ import annotations

from typing import Iterator

import cv2
import numpy as np
import torch
import torch.nn as nn

from videofill.fill.train import generate_frames


def centred_starts(frame_count: int, window: int) -> list[int]:
    """For each frame, the start of the ``window``-frame run of frames that has it nearest the centre."""
    last = max(frame_count - window, 0)
    return [min(max(i - window // 2, 0), last) for i in range(frame_count)]


@torch.no_grad()
def iter_generated(
    model: nn.Module,
    noise: torch.Tensor,
    window: int,
    device: torch.device,
    autocast: bool = False,
    base: torch.Tensor | None = None,
    frames: list[int] | None = None,
) -> Iterator[tuple[int, torch.Tensor, torch.Tensor | None]]:
    """Generate frames the way the paper's code does: on runs of ``window`` frames, BatchNorm in training mode, each
    frame taken from the run that has it nearest the centre. The one generation loop (inference and snapshots).

    Args:
        model: the trained generator (kept in training mode, as in the paper's code).
        noise: float32 (T, 1, H, W), the fixed network input.
        window: frames generated together (the training batch size N); at most T are used.
        device: where to run.
        autocast: bfloat16 autocast.
        base: float32 (T, 3, H, W) in [0, 1] or None: the frames the generator corrects (``VideoTensors.base``).
        frames: which frames to generate, ascending (None: all).

    Yields:
        ``(i, image, flows)``: frame index, float32 (3, H, W) in [0, 1] on the device, and the flow head's output
        (C, H, W) in normalised units, or None without a flow head.
    """
    model.train()
    count = noise.shape[0]
    window = min(window, count)
    starts = centred_starts(count, window)
    wanted = range(count) if frames is None else frames
    for start in sorted({starts[i] for i in wanted}):
        part = None if base is None else base[start : start + window].to(device)
        images, flows = generate_frames(model, noise[start : start + window].to(device), autocast, part)
        for i in wanted:
            if starts[i] == start:
                yield i, images[i - start], None if flows is None else flows[i - start]


def generate_video(
    model: nn.Module,
    noise: torch.Tensor,
    window: int,
    device: torch.device,
    autocast: bool = False,
    base: torch.Tensor | None = None,
) -> torch.Tensor:
    """Every frame of the video (:func:`iter_generated`), float32 (T, 3, H, W) in [0, 1] on the CPU."""
    out = torch.empty(noise.shape[0], 3, *noise.shape[-2:])
    for i, image, _ in iter_generated(model, noise, window, device, autocast, base):
        out[i] = image.float().cpu()
    return out


def to_uint8(frames: torch.Tensor) -> np.ndarray:
    """float (T, 3, H, W) in [0, 1] -> uint8 (T, H, W, 3), rounded."""
    return (frames.clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()


def resize_frames(frames: np.ndarray, size: tuple[int, int], interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    """Resize uint8 (T, H, W, 3) frames to size (W, H)."""
    if frames.shape[2] == size[0] and frames.shape[1] == size[1]:
        return frames
    return np.stack([cv2.resize(frame, size, interpolation=interpolation) for frame in frames])


def hole_box(hole: np.ndarray, margin: int) -> tuple[slice, slice]:
    """The bounding box of the True pixels of ``hole`` (H, W) grown by ``margin`` px, within the frame: (rows, cols)."""
    ys = np.flatnonzero(hole.any(axis=1))
    xs = np.flatnonzero(hole.any(axis=0))
    height, width = hole.shape
    rows = slice(max(0, ys[0] - margin), min(height, ys[-1] + 1 + margin))
    cols = slice(max(0, xs[0] - margin), min(width, xs[-1] + 1 + margin))
    return rows, cols


def feather_margin(feather: int) -> int:
    """Pixels around the hole that :func:`feather_patch` reads: the ramp plus the Gaussian's reach (4 sigma)."""
    return 0 if feather <= 0 else feather + int(np.ceil(4 * max(feather / 2.0, 0.5))) + 2


def feather_patch(frame: np.ndarray, hole: np.ndarray, patch: np.ndarray, feather: int) -> np.ndarray:
    """The fill of a (crop of a) frame with its colour matched to the hole's edge (see :func:`composite`).

    Args:
        frame: uint8 (h, w, 3) the input; its hole pixels are not read.
        hole: bool (h, w), True = hole; every hole pixel at least :func:`feather_margin` px from the crop's edge
            unless that edge is the frame's.
        patch: float32 (h, w, 3), the fill (also on the known pixels next to the hole).
        feather: ramp width in px (> 0).

    Returns:
        float32 (h, w, 3): ``patch`` with the correction added (meaningful in the hole).
    """
    known = (~hole).astype(np.float32)
    residual = (frame.astype(np.float32) - patch) * known[..., None]
    sigma = max(feather / 2.0, 0.5)
    spread = cv2.GaussianBlur(residual, (0, 0), sigma)
    weight_sum = cv2.GaussianBlur(known, (0, 0), sigma)[..., None]
    correction = np.where(weight_sum > 1e-3, spread / np.maximum(weight_sum, 1e-3), 0.0)
    distance = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)  # px to the nearest known pixel
    ramp = np.clip(1.0 - (distance - 1.0) / feather, 0.0, 1.0)[..., None]
    return patch + ramp * correction


def composite(frames: np.ndarray, holes: np.ndarray, fill: np.ndarray, feather: int = 0) -> np.ndarray:
    """Put the fill into the holes; everything outside the holes stays the input's pixels exactly.

    With ``feather > 0`` the fill's colour is matched to the hole's surroundings over a ramp ``feather`` px wide
    inside the hole: the difference between the input and the fill on the known pixels next to the hole is spread
    into the hole (a normalised Gaussian average of known pixels only, so nothing of the hole's own input pixels is
    used) and added with a weight falling from 1 at the hole's edge to 0 at ``feather`` px inside. It is computed
    on the box around each frame's hole (:func:`feather_margin` px of context), not on the whole frame.

    Args:
        frames: uint8 (T, H, W, 3) input frames.
        holes: bool (T, H, W), True = hole.
        fill: uint8 (T, H, W, 3) generated frames at the input size.
        feather: ramp width in px.

    Returns:
        uint8 (T, H, W, 3).
    """
    out = frames.copy()
    for t in range(frames.shape[0]):
        hole = holes[t]
        if not hole.any():
            continue
        if feather > 0:
            box = hole_box(hole, feather_margin(feather))
            patch = feather_patch(frames[t][box], hole[box], fill[t][box].astype(np.float32), feather)
            out[t][box][hole[box]] = np.clip(patch[hole[box]] + 0.5, 0, 255).astype(np.uint8)
        else:
            out[t][hole] = fill[t][hole]
    return out
