"""A colour model of object and background (the appearance-only baseline without a network).

Joint RGB histograms (16 bins a channel) of the object and of the background of the marked frames; a pixel's
object likelihood ratio, combined with the carried prior by Bayes' rule. Optionally the background histogram is
mixed with that of the current frame's ring around the carried object (a local background: the road next to a car
rather than the whole frame's sky and buildings).
"""

from __future__ import annotations

import cv2
import numpy as np

BINS = 16


def _index(image: np.ndarray) -> np.ndarray:
    """int64 (h, w) histogram bin of each pixel of a uint8 (h, w, 3) RGB image."""
    q = (image // (256 // BINS)).astype(np.int64)
    return (q[..., 0] * BINS + q[..., 1]) * BINS + q[..., 2]


def ring(prior: np.ndarray, gap: float, width: float) -> np.ndarray:
    """bool (h, w): the pixels between ``gap`` and ``gap + width`` object sizes outside the carried object.

    The object is ``prior`` > 0.5, its size the square root of its area (px); empty when the object is.
    """
    obj = (prior > 0.5).astype(np.uint8)
    area = float(obj.sum())
    if area < 1:
        return np.zeros(prior.shape, bool)
    size = np.sqrt(area)
    dist = cv2.distanceTransform(1 - obj, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return (dist > max(1.0, gap * size)) & (dist <= max(2.0, (gap + width) * size))


class ColourModel:
    """Object and background colour histograms of marked frames.

    Args:
        images: uint8 (h, w, 3) RGB frames.
        masks: float32 (h, w) in [0, 1], the object on each.
    """

    def __init__(self, images: list[np.ndarray], masks: list[np.ndarray]):
        fg = np.ones(BINS ** 3)
        bg = np.ones(BINS ** 3)
        for img, m in zip(images, masks):
            idx = _index(img).ravel()
            fg += np.bincount(idx, weights=m.ravel(), minlength=BINS ** 3)
            bg += np.bincount(idx, weights=1 - m.ravel(), minlength=BINS ** 3)
        self.fg = fg / fg.sum()
        self.bg = bg / bg.sum()
        self.log_ratio = (np.log(self.fg) - np.log(self.bg)).astype(np.float32)

    def local_log_ratio(self, image: np.ndarray, prior: np.ndarray, mix: float, gap: float,
                        width: float) -> np.ndarray:
        """float32 (BINS^3,) log P(colour | object) / P(colour | background) with a local background.

        The background distribution is ``(1 - mix)`` of the marked frames' plus ``mix`` of the colours of the ring
        of :func:`ring` (``gap``, ``width``) around the carried object on the uint8 (h, w, 3) ``image``; the
        marked frames' ratio alone when ``mix`` is 0 or the ring is empty.
        """
        sel = ring(prior, gap, width) if mix > 0 else None
        if sel is None or not sel.any():
            return self.log_ratio
        local = np.bincount(_index(image)[sel], minlength=BINS ** 3) + 1.0
        bg = (1 - mix) * self.bg + mix * local / local.sum()
        return (np.log(self.fg) - np.log(bg)).astype(np.float32)

    def posterior(self, image: np.ndarray, prior: np.ndarray, clip: float = 0.02,
                  log_ratio: np.ndarray | None = None) -> np.ndarray:
        """float32 (h, w) P(object) of a uint8 (h, w, 3) frame given a float32 (h, w) prior in [0, 1].

        The prior is clipped to [``clip``, 1 - ``clip``] (the larger ``clip``, the more the colours can overrule
        it); ``log_ratio`` replaces the marked frames' ratio (see :meth:`local_log_ratio`).
        """
        lr = self.log_ratio if log_ratio is None else log_ratio
        p = np.clip(prior, clip, 1 - clip)
        logit = np.log(p / (1 - p)) + lr[_index(image)]
        return (1 / (1 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32)
