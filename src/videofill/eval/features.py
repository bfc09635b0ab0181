"""Latent-feature similarity of a trained generator (the paper's section 5.1, Fig. 9).

The encoder maps each frame's fixed noise map to feature maps (:meth:`videofill.fill.networks.EncoderDecoder.
encoder_features`); at level ``l`` there is one feature vector per ``stride = 2 ** (l + 1)`` px cell of the frame.
If the network has learned a video-specific code, the vector of a scene point in frame ``a`` should be closer to the
vector of the *same* point in frame ``b`` (found by following the optical flow) than to the vector of a random cell.

Conventions: feature maps are float (C, h, w) per frame; a flow is float (H, W, 2) in px, x then y, with
``H = h * stride`` and ``W = w * stride`` (see :mod:`videofill.fill.flow`); cells are indexed (row, column).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def cosine_similarity(a: np.ndarray, b: np.ndarray, axis: int = 0, eps: float = 1e-12) -> np.ndarray:
    """Cosine of the angle between ``a`` and ``b`` along ``axis``: ``<a, b> / (|a| |b|)``, in [-1, 1].

    Args:
        a, b: float arrays that broadcast together.
        axis: the vector axis (the feature channels).
        eps: floor of the norms' product (a zero vector has similarity 0 with anything).

    Returns:
        the similarities, with ``axis`` removed.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    dot = np.sum(a * b, axis=axis)
    norms = np.sqrt(np.sum(a * a, axis=axis)) * np.sqrt(np.sum(b * b, axis=axis))
    return dot / np.maximum(norms, eps)


def track_cells(flow: np.ndarray, stride: int, valid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where each ``stride`` x ``stride`` cell of frame ``a`` goes in frame ``b``, following the flow from a to b.

    A cell moves by the mean flow over its pixels (the valid ones, when ``valid`` is given); its centre
    ``((c + 0.5) * stride - 0.5, (r + 0.5) * stride - 0.5)`` plus that motion falls in the target cell
    ``floor((p + 0.5) / stride)``.

    Args:
        flow: float (H, W, 2) px, x then y, from frame a to frame b; H and W multiples of ``stride``.
        stride: cell side in px.
        valid: bool (H, W) or None: pixels whose flow is trusted (e.g. the forward-backward check).

    Returns:
        (targets int (h, w, 2) as (row, column) in frame b, ok bool (h, w)): ``ok`` is False where the target leaves
        the frame or, with ``valid``, where fewer than half of the cell's pixels are valid.

    Raises:
        ValueError: a flow of the wrong shape or not a multiple of ``stride``.
    """
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f"expected an (H, W, 2) flow, got {flow.shape}")
    height, width = flow.shape[:2]
    if height % stride or width % stride:
        raise ValueError(f"flow size {width}x{height} must be a multiple of the stride {stride}")
    h, w = height // stride, width // stride
    weight = np.ones((height, width)) if valid is None else valid.astype(np.float64)
    cell_weight = weight.reshape(h, stride, w, stride).sum(axis=(1, 3))  # (h, w) valid pixels per cell
    motion = (flow * weight[..., None]).reshape(h, stride, w, stride, 2).sum(axis=(1, 3))
    motion = motion / np.maximum(cell_weight, 1.0)[..., None]  # (h, w, 2) mean flow of the cell, x then y
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    x = (cols + 0.5) * stride - 0.5 + motion[..., 0]
    y = (rows + 0.5) * stride - 0.5 + motion[..., 1]
    target_rows, target_cols = np.floor((y + 0.5) / stride).astype(int), np.floor((x + 0.5) / stride).astype(int)
    ok = (target_rows >= 0) & (target_rows < h) & (target_cols >= 0) & (target_cols < w)
    if valid is not None:
        ok &= cell_weight >= 0.5 * stride * stride
    targets = np.stack([np.clip(target_rows, 0, h - 1), np.clip(target_cols, 0, w - 1)], axis=-1)
    return targets, ok


@dataclass
class TrackedSimilarity:
    """Similarities of one frame pair's feature vectors (see :func:`tracked_similarity`).

    Attributes:
        tracked: float (n,) cosine similarity of each tracked cell with its target cell.
        random: float (n,) cosine similarity of the same cells with a uniformly drawn cell of frame b.
        hits: bool (n,) whether frame b's most similar cell lies within ``radius`` cells (Chebyshev) of the target.
        chance: float (n,) the probability of such a hit for a cell of frame b drawn uniformly at random.
    """

    tracked: np.ndarray
    random: np.ndarray
    hits: np.ndarray
    chance: np.ndarray


def tracked_similarity(
    features_a: np.ndarray,
    features_b: np.ndarray,
    flow_ab: np.ndarray,
    stride: int,
    valid: np.ndarray | None = None,
    radius: int = 1,
    seed: int = 0,
) -> TrackedSimilarity:
    """Cosine similarity of the features of the same scene point in two frames, against random pairs.

    Every cell of frame a whose track is ok (:func:`track_cells`) is compared with its target cell in frame b
    (``tracked``), with one cell of frame b drawn uniformly (``random``, ``np.random.default_rng(seed)``), and with
    every cell of frame b, to see whether the most similar one is the target or a neighbour within ``radius`` (``hits``;
    ``chance`` is what a random pick would score).

    Args:
        features_a, features_b: float (C, h, w) feature maps of frames a and b.
        flow_ab: float (h * stride, w * stride, 2), px, x then y, from frame a to frame b.
        stride: px per feature cell.
        valid: bool (H, W) or None: pixels of frame a whose flow is trusted.
        radius: cells around the target that count as a hit.
        seed: seed of the random pairs.

    Returns:
        :class:`TrackedSimilarity` (empty arrays when no cell is tracked).

    Raises:
        ValueError: feature maps of different shapes, or a flow that does not match them.
    """
    if features_a.ndim != 3 or features_a.shape != features_b.shape:
        raise ValueError(
            f"expected two (C, h, w) feature maps of one shape, got {features_a.shape}, {features_b.shape}"
        )
    _, h, w = features_a.shape
    if flow_ab.shape[:2] != (h * stride, w * stride):
        raise ValueError(f"flow {flow_ab.shape} does not match {h}x{w} cells of {stride} px")
    targets, ok = track_cells(flow_ab, stride, valid)
    rows, cols = np.nonzero(ok)
    source = features_a[:, rows, cols]  # (C, n)
    target = features_b[:, targets[rows, cols, 0], targets[rows, cols, 1]]  # (C, n)
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, h * w, size=len(rows))
    random = features_b.reshape(features_b.shape[0], -1)[:, drawn]
    every = cosine_similarity(source[:, :, None], features_b.reshape(features_b.shape[0], 1, -1))  # (n, h * w)
    best = np.argmax(every, axis=1) if len(rows) else np.zeros(0, int)
    best_rows, best_cols = best // w, best % w
    hits = (np.abs(best_rows - targets[rows, cols, 0]) <= radius) & (
        np.abs(best_cols - targets[rows, cols, 1]) <= radius
    )
    span_rows = np.minimum(targets[rows, cols, 0] + radius, h - 1) - np.maximum(targets[rows, cols, 0] - radius, 0) + 1
    span_cols = np.minimum(targets[rows, cols, 1] + radius, w - 1) - np.maximum(targets[rows, cols, 1] - radius, 0) + 1
    return TrackedSimilarity(
        tracked=cosine_similarity(source, target),
        random=cosine_similarity(source, random),
        hits=hits,
        chance=(span_rows * span_cols) / float(h * w),
    )


def similarity_map(features: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Cosine similarity of every cell of a (C, h, w) feature map with one (C,) reference vector: float (h, w)."""
    return cosine_similarity(features, np.asarray(reference)[:, None, None])


__all__ = ["TrackedSimilarity", "cosine_similarity", "similarity_map", "track_cells", "tracked_similarity"]
