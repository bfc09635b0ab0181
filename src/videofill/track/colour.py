"""A colour model of object and background (the appearance-only baseline without a network).

Joint RGB histograms (16 bins a channel) of the object and of the background of the marked frames; a pixel's
object likelihood ratio, combined with the carried prior by Bayes' rule.
"""

from __future__ import annotations

import numpy as np

BINS = 16


def _index(image: np.ndarray) -> np.ndarray:
    """int64 (h, w) histogram bin of each pixel of a uint8 (h, w, 3) RGB image."""
    q = (image // (256 // BINS)).astype(np.int64)
    return (q[..., 0] * BINS + q[..., 1]) * BINS + q[..., 2]


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
        self.log_ratio = (np.log(fg / fg.sum()) - np.log(bg / bg.sum())).astype(np.float32)

    def posterior(self, image: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """float32 (h, w) P(object) of a uint8 (h, w, 3) frame given a float32 (h, w) prior in [0, 1]."""
        p = np.clip(prior, 0.02, 0.98)
        logit = np.log(p / (1 - p)) + self.log_ratio[_index(image)]
        return (1 / (1 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32)
