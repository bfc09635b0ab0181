"""What moves unlike the background: a cue for turning a box into a mask, and for tracking.

Inside a box drawn around a moving object, the pixels whose optical flow disagrees with the camera's motion are the
object's. The camera's motion is a homography fitted (RANSAC) to the DIS flow outside the box; the residual is the
distance between a pixel's flow and the homography's, in units of the typical residual outside the box.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Flow is computed on frames shrunk to this longer side (px) at most.
MOTION_SIDE = 384
#: Pixels sampled outside the box for the homography (every n-th).
SAMPLE_EVERY = 7


def _gray(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA) if frame.shape[1::-1] != size else frame
    return cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2GRAY)


def motion_residual(frame: np.ndarray, others: list[np.ndarray], box: tuple[int, int, int, int]) -> np.ndarray | None:
    """float32 (H, W): how far each pixel's motion is from the camera's, in units of the median outside the box.

    Args:
        frame: uint8 (H, W, 3) RGB, the marked frame.
        others: uint8 (H, W, 3) RGB frames a few frames before and/or after it (the flow goes to each; the larger
            residual of the two is kept).
        box: (x0, y0, x1, y1) pixels of ``frame``, end exclusive.

    Returns:
        The residual map, 0 = moves with the background, ~1 = as far as a typical background pixel, larger = moves
        unlike it; None when there is no other frame or too little outside the box to fit the camera's motion.
    """
    h, w = frame.shape[:2]
    s = min(1.0, MOTION_SIDE / max(h, w))
    size = (max(8, round(w * s)), max(8, round(h * s)))
    yy, xx = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    x0, y0, x1, y1 = (v * s for v in box)
    outside = ~((xx >= x0) & (xx < x1) & (yy >= y0) & (yy < y1))
    if len(np.flatnonzero(outside.ravel())[::SAMPLE_EVERY]) < 50:  # as camera_residual would find
        return None
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    g0 = _gray(frame, size)
    res = [r for r in (camera_residual(dis.calc(g0, _gray(other, size), None), outside) for other in others)
           if r is not None]
    if not res:
        return None
    return cv2.resize(np.max(res, 0).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def camera_residual(flow: np.ndarray, outside: np.ndarray) -> np.ndarray | None:
    """float32 (h, w): how far each pixel's flow is from the camera's, in units of the median of ``outside``.

    Args:
        flow: float32 (h, w, 2) optical flow (dx, dy) px from this frame to another.
        outside: bool (h, w), the pixels taken as background: a homography fitted to their flow (RANSAC, 1 px,
            every ``SAMPLE_EVERY``-th pixel) is the camera's motion.

    Returns:
        |flow - homography's flow| / (median of it over ``outside`` + 0.5 px); None when fewer than 50 pixels are
        sampled or no homography is found.
    """
    h, w = outside.shape
    idx = np.flatnonzero(outside.ravel())[::SAMPLE_EVERY]
    if len(idx) < 50:
        return None
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grid = np.stack([xx, yy], -1)
    src = grid.reshape(-1, 2)[idx]
    hom, _ = cv2.findHomography(src, src + flow.reshape(-1, 2)[idx], cv2.RANSAC, 1.0)
    if hom is None:
        return None
    cam = cv2.perspectiveTransform(grid.reshape(-1, 1, 2), hom).reshape(h, w, 2)
    r = np.linalg.norm(grid + flow - cam, axis=-1)
    return (r / (np.median(r[outside]) + 0.5)).astype(np.float32)
