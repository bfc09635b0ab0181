"""Mask scores of the DAVIS protocol: region similarity J and boundary accuracy F.

J is the intersection over union of the predicted and the true object region of a frame (1 when both are empty).
F is the F-measure of the boundary pixels: a predicted boundary pixel is correct when a true boundary pixel lies
within a tolerance of 0.8 % of the image diagonal (rounded up to whole pixels), and the other way round for recall.
The means leave out the first given frame and the last one (the protocol of the semi-supervised task).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import cv2
import numpy as np

#: Boundary tolerance as a fraction of the image diagonal (DAVIS).
BOUNDARY_TOLERANCE = 0.008


def region_j(pred: np.ndarray, truth: np.ndarray) -> float:
    """IoU of two bool (H, W) masks, in [0, 1]; 1.0 when both are empty."""
    union = np.logical_or(pred, truth).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(pred, truth).sum() / union)


def boundary_map(mask: np.ndarray) -> np.ndarray:
    """Boundary pixels of a bool (H, W) mask, as in the DAVIS toolkit.

    A pixel is on the boundary when its label differs from its right, lower or lower-right neighbour (object or
    background pixel alike, so the boundary lies just outside the object on its top and left and just inside on its
    bottom and right). The last row compares only with the right neighbour, the last column only with the lower one.
    Returns bool (H, W).
    """
    m = np.asarray(mask, dtype=bool)
    b = np.zeros(m.shape, bool)
    core = m[:-1, :-1]
    b[:-1, :-1] = (core != m[:-1, 1:]) | (core != m[1:, :-1]) | (core != m[1:, 1:])
    b[-1, :-1] = m[-1, :-1] != m[-1, 1:]
    b[:-1, -1] = m[:-1, -1] != m[1:, -1]
    return b


def boundary_f(pred: np.ndarray, truth: np.ndarray, tolerance: float = BOUNDARY_TOLERANCE) -> float:
    """Boundary F-measure of two bool (H, W) masks, in [0, 1].

    ``tolerance`` is a fraction of the image diagonal (>= 1 means pixels); the match radius is its ceiling in pixels.
    Both boundaries empty gives 1; exactly one empty gives 0.
    """
    radius = tolerance if tolerance >= 1 else math.ceil(tolerance * math.hypot(*pred.shape[:2]))
    bp, bt = boundary_map(pred), boundary_map(truth)
    n_p, n_t = int(bp.sum()), int(bt.sum())
    if n_p == 0 and n_t == 0:
        return 1.0
    if n_p == 0 or n_t == 0:
        return 0.0
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    near_t = cv2.dilate(bt.astype(np.uint8), disk) > 0
    near_p = cv2.dilate(bp.astype(np.uint8), disk) > 0
    precision = (bp & near_t).sum() / n_p
    recall = (bt & near_p).sum() / n_t
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def mask_scores(pred: np.ndarray, truth: np.ndarray, *, exclude: Iterable[int] | None = None) -> dict:
    """J and F per frame and their means.

    Args:
        pred: bool (T, H, W), True = object (predicted).
        truth: bool (T, H, W), True = object (ground truth).
        exclude: frame indices left out of the means; default the first frame and the last (DAVIS). Negative
            indices count from the end.

    Returns:
        ``{"J": [T floats], "F": [T floats], "J_mean": float, "F_mean": float, "JF_mean": float, "frames": [ints]}``
        with every score in [0, 1]; ``frames`` are the indices averaged. When every frame is excluded the means are
        over all frames.
    """
    pred = np.asarray(pred, dtype=bool)
    truth = np.asarray(truth, dtype=bool)
    if pred.shape != truth.shape or pred.ndim != 3:
        raise ValueError(f"pred {pred.shape} and truth {truth.shape} must both be (T, H, W)")
    t = pred.shape[0]
    j = [region_j(p, g) for p, g in zip(pred, truth)]
    f = [boundary_f(p, g) for p, g in zip(pred, truth)]
    skip = {0, t - 1} if exclude is None else {i % t for i in exclude}
    frames = [i for i in range(t) if i not in skip] or list(range(t))
    j_mean = float(np.mean([j[i] for i in frames]))
    f_mean = float(np.mean([f[i] for i in frames]))
    return {"J": j, "F": f, "J_mean": j_mean, "F_mean": f_mean, "JF_mean": (j_mean + f_mean) / 2, "frames": frames}
