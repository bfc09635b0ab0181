"""Exemplar-based inpainting in one image: whole patches copied in, structure first (Criminisi et al., 2004).

A. Criminisi, P. Pérez, K. Toyama, "Region Filling and Object Removal by Exemplar-Based Image Inpainting", IEEE TIP
13(9), 2004. The hole is filled from its edge inwards, one patch at a time: the patch on the edge with the highest
priority, *confidence* (how much of it is known, or was filled early) times *data* (how strongly an edge of the image
runs into the hole there), takes the pixels of the known patch that matches its known pixels best (sum of squared
differences). Lines and edges that meet the hole are carried across it first, and what is copied is real texture of
the image, not a blend: where :mod:`videofill.fill.patches` averages overlapping patches (and blurs what no patch
explains) and the membrane is the smoothest fill, this one continues the scene (a wall, a railing, the ground
behind a person who never moves away), at the price of a wrong guess being sharp.

Conventions: images uint8 (H, W, 3); masks bool (H, W), True = to fill; coordinates (y, x) in pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Patch side (px, odd): the paper's 9 x 9.
EXEMPLAR_PATCH = 9
#: Gaussian sigma (px) over which the image's gradients are pooled into the edge direction at the hole's edge.
ISOPHOTE_SIGMA_PX = 1.5
#: Added to the data term so that a patch where no edge meets the hole still ranks by its confidence.
DATA_FLOOR = 1e-3
#: With a guide: the weight of its squared difference (both blurred by :data:`GUIDE_SIGMA_PX`) over the pixels a
#: copy fills, beside the plain squared difference over the pixels it matches (0.3, 1 and 3 compared on the 8
#: never-revealed boxes of benchmarks/results/unseen.md "Night 6", guided by the membrane: hole PSNR over Telea
#: +0.15 / +0.12 / 0.00 dB on one layout, -0.03 / +0.28 / +0.38 on the other, sharpness 0.77-0.61; unguided -2.2 / -0.7).
GUIDE_WEIGHT = 1.0
#: Gaussian sigma (px) of the blur under which a copy is compared with the guide (1, 2 and 4 compared as above:
#: 2 kept both).
GUIDE_SIGMA_PX = 2.0


def _front(hole: np.ndarray) -> np.ndarray:
    """Hole pixels with a known 8-neighbour: bool (h, w)."""
    known = (~hole).astype(np.uint8)
    return hole & (cv2.dilate(known, np.ones((3, 3), np.uint8)) > 0)


def _priorities(image: np.ndarray, hole: np.ndarray, confidence: np.ndarray, patch: int):
    """Per front pixel its confidence term and confidence x data: (ys, xs, confidence, priority), 1-D each.

    Data: the component of the image's edge direction (isophote, the gradient turned 90 degrees, pooled over
    :data:`ISOPHOTE_SIGMA_PX` from known pixels only) across the front, over 255."""
    ys, xs = np.nonzero(_front(hole))
    known = (~hole).astype(np.float32)
    mean_confidence = cv2.boxFilter(confidence, -1, (patch, patch), normalize=True, borderType=cv2.BORDER_CONSTANT)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3) / 8
    valid = cv2.erode(known, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)  # stencil all known
    weight = cv2.GaussianBlur(valid, (0, 0), ISOPHOTE_SIGMA_PX)[ys, xs] + 1e-6
    jxx, jxy, jyy = (cv2.GaussianBlur(valid * product, (0, 0), ISOPHOTE_SIGMA_PX)[ys, xs] / weight
                     for product in (gx * gx, gx * gy, gy * gy))
    smooth = cv2.GaussianBlur(known, (0, 0), 1.0)  # the front's normal: the gradient of the known mask
    nx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)[ys, xs]
    ny = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)[ys, xs]
    norm = np.hypot(nx, ny) + 1e-6
    nx, ny = nx / norm, ny / norm
    # |isophote . n|^2 averaged: isophote = (-gy, gx), so (gx ny - gy nx)^2 = (ny, -nx) J (ny, -nx)^T
    data = np.sqrt(np.maximum(ny * ny * jxx - 2 * nx * ny * jxy + nx * nx * jyy, 0)) / 255
    conf = mean_confidence[ys, xs]
    return ys, xs, conf, conf * (data + DATA_FLOOR)


def exemplar_fill(image: np.ndarray, hole: np.ndarray, source: np.ndarray | None = None,
                  patch: int = EXEMPLAR_PATCH, guide: np.ndarray | None = None) -> np.ndarray:
    """Fill ``hole`` patch by patch with pixels copied from ``source`` in the order of Criminisi et al.

    Args:
        image: uint8 (H, W, 3); its values under ``hole`` are ignored.
        hole: bool (H, W), True = to fill.
        source: bool (H, W), pixels a copied patch may come from (every pixel of it); None: all outside ``hole``.
        patch: patch side (px, odd).
        guide: uint8 (H, W, 3) or None, a smooth fill of the hole (e.g. the membrane): each copy must also agree
            with it, both blurred, over the pixels it fills (:data:`GUIDE_WEIGHT`): where the edge alone does not
            decide, the copy keeps the colours the hole's surroundings lead to instead of the best-matching stray
            patch.

    Returns:
        uint8 (H, W, 3): ``image`` with ``hole`` filled. Where no whole patch of ``source`` exists (a source thinner
        than a patch), a pixel takes the mean of the known pixels of the patch around it instead, one at a time.

    Raises:
        ValueError: an even or too small ``patch``, or a hole that covers the whole image.
    """
    if patch < 3 or patch % 2 == 0:
        raise ValueError(f"exemplar_fill: patch must be odd and 3 or more, got {patch}")
    filled = image.copy()
    hole = hole.copy()
    if not hole.any():
        return filled
    if hole.all():
        raise ValueError("exemplar_fill: the hole covers the whole image; there is nothing to copy from")
    source = ~hole if source is None else source & ~hole
    height, width = hole.shape
    radius = patch // 2
    confidence = (~hole).astype(np.float32)
    # top-left corners of the patches that lie wholly on source pixels
    whole = cv2.erode(source.astype(np.uint8), np.ones((patch, patch), np.uint8), anchor=(0, 0),
                      borderType=cv2.BORDER_CONSTANT, borderValue=0)[: height - patch + 1, : width - patch + 1] > 0
    if guide is not None:  # blurred once: the hole's pixels change under the loop, the guide's blur does not
        guide_blur = cv2.GaussianBlur(guide.astype(np.float32), (0, 0), GUIDE_SIGMA_PX)
        source_blur = cv2.GaussianBlur(np.where(hole[..., None], guide, image).astype(np.float32), (0, 0),
                                       GUIDE_SIGMA_PX)
    values = image.astype(np.float32)  # what matchTemplate searches, kept in step with ``filled``
    margin = radius + 8  # the priorities read this far around the hole (the patch, the blurs and Sobel's stencil)
    while hole.any():
        rows, cols = np.nonzero(hole.any(axis=1))[0], np.nonzero(hole.any(axis=0))[0]
        y0, y1 = max(0, rows[0] - margin), min(height, rows[-1] + margin + 1)
        x0, x1 = max(0, cols[0] - margin), min(width, cols[-1] + margin + 1)
        ys, xs, conf, priority = _priorities(filled[y0:y1, x0:x1], hole[y0:y1, x0:x1], confidence[y0:y1, x0:x1], patch)
        best = int(np.argmax(priority))
        y, x = ys[best] + y0, xs[best] + x0
        top, left = max(0, y - radius), max(0, x - radius)
        bottom, right = min(height, y + radius + 1), min(width, x + radius + 1)
        target = values[top:bottom, left:right].copy()
        missing = hole[top:bottom, left:right]
        h, w = missing.shape
        allowed = whole
        if (h, w) != (patch, patch):  # a patch cut by the image's border: its own set of whole source patches
            allowed = cv2.erode(source.astype(np.uint8), np.ones((h, w), np.uint8), anchor=(0, 0),
                                borderType=cv2.BORDER_CONSTANT, borderValue=0)[: height - h + 1, : width - w + 1] > 0
        if allowed.any():
            mask = np.repeat((~missing)[..., None], 3, axis=2).astype(np.float32)
            cost = cv2.matchTemplate(values, target, cv2.TM_SQDIFF, mask=mask)
            if guide is not None:
                fills = np.repeat(missing[..., None], 3, axis=2).astype(np.float32)
                cost += GUIDE_WEIGHT * cv2.matchTemplate(source_blur, guide_blur[top:bottom, left:right],
                                                         cv2.TM_SQDIFF, mask=fills)
            cost = np.where(allowed, cost, np.inf)
            sy, sx = np.unravel_index(int(np.argmin(cost)), cost.shape)
            copied = filled[sy:sy + h, sx:sx + w]
            filled[top:bottom, left:right][missing] = copied[missing]
            values[top:bottom, left:right][missing] = copied[missing]
            confidence[top:bottom, left:right][missing] = conf[best]
            hole[top:bottom, left:right] = False
        else:  # nothing to copy from: the mean of the patch's known pixels, one pixel at a time
            known = ~missing
            filled[y, x] = np.rint(target[known].mean(axis=0)).astype(np.uint8)
            values[y, x] = filled[y, x]
            confidence[y, x] = conf[best]
            hole[y, x] = False
    return filled


__all__ = ["EXEMPLAR_PATCH", "GUIDE_SIGMA_PX", "GUIDE_WEIGHT", "exemplar_fill"]
