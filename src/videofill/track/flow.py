"""Optical flow (OpenCV DIS) and carrying a mask along it, at the working resolution."""

from __future__ import annotations

import cv2
import numpy as np


def working_size(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """(h, w) with the longer side at most ``long_side`` px, aspect kept; ``size`` is (H, W). Never enlarges."""
    h, w = size
    s = min(1.0, long_side / max(h, w))
    return max(8, round(h * s)), max(8, round(w * s))


def shrink_frames(frames: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """uint8 (T, H, W, 3) -> uint8 (T, h, w, 3) by area averaging (a view-free copy when the size is kept)."""
    h, w = hw
    if frames.shape[1:3] == (h, w):
        return np.ascontiguousarray(frames)
    return np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in frames])


def shrink_mask(mask: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """bool (H, W) -> float32 (h, w) in [0, 1], the object fraction of each working pixel."""
    h, w = hw
    return cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)


def grow_prob(prob: np.ndarray, size: tuple[int, int], frame: np.ndarray | None = None, radius: int = 0,
              eps: float = 1e-3) -> np.ndarray:
    """float32 (h, w) probability -> float32 (H, W) by bilinear interpolation; ``size`` is (H, W).

    With a uint8 (H, W, 3) RGB ``frame`` and ``radius`` > 0 the enlarged probability is then guided-filtered
    (He et al. 2010, grey guide, box of side 2 radius + 1, regularisation ``eps``): within each box it becomes a
    linear function of the frame's grey level, so its edges follow the frame's edges at full resolution.
    """
    up = cv2.resize(prob.astype(np.float32), (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
    if frame is None or radius <= 0:
        return up
    g = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY).astype(np.float32) / 255

    def box(x):
        return cv2.boxFilter(x, -1, (2 * radius + 1,) * 2, borderType=cv2.BORDER_REFLECT)

    mg, mp = box(g), box(up)
    a = (box(g * up) - mg * mp) / (box(g * g) - mg * mg + eps)
    b = mp - a * mg
    return box(a) * g + box(b)


class FlowField:
    """DIS flow between frames of one clip, computed on demand.

    Args:
        frames: uint8 (T, h, w, 3) RGB at the working resolution.
        preset: cv2.DISOPTICAL_FLOW_PRESET_* (0 ultrafast, 1 fast, 2 medium).
        finest_scale: finest pyramid level DIS computes (0 = full working resolution).
    """

    def __init__(self, frames: np.ndarray, preset: int = 2, finest_scale: int = 0):
        self.gray = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames])
        self.dis = cv2.DISOpticalFlow_create(preset)
        self.dis.setFinestScale(finest_scale)
        h, w = self.gray.shape[1:]
        self.grid_x, self.grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))

    def flow(self, dst: int, src: int) -> np.ndarray:
        """float32 (h, w, 2): for each pixel x of frame ``dst``, the offset (dx, dy) px to where it is in ``src``."""
        return self.dis.calc(self.gray[dst], self.gray[src], None)

    def carry(self, values: np.ndarray, dst: int, src: int) -> np.ndarray:
        """Move float32 (h, w) or (h, w, C) values of frame ``src`` onto frame ``dst`` (backward warping, bilinear).

        Pixels whose source lies outside the frame take the nearest border value.
        """
        return self.warp(values, self.flow(dst, src))

    def warp(self, values: np.ndarray, flow: np.ndarray) -> np.ndarray:
        """Move float32 (h, w) or (h, w, C) values along a float32 (h, w, 2) flow of :meth:`flow` (as ``carry``)."""
        return cv2.remap(values, self.grid_x + flow[..., 0], self.grid_y + flow[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
