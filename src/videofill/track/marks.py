"""Marks (what the user says about the object) and how a box or points become a mask.

A :class:`Mark` is on one frame and is exactly one of: a mask (bool (H, W), True = object), a box (x0, y0, x1, y1 in
pixels, end exclusive) or points (x, y pixels on the object). :func:`check_marks` rejects marks that cannot be used,
with a one-line :class:`~videofill.errors.VideofillError`; :func:`mark_to_mask` turns a box or points into a mask on
its frame with GrabCut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from videofill.errors import VideofillError


@dataclass
class Mark:
    """What is known of the object on one frame.

    Attributes:
        frame: index of the frame in the clip, 0-based.
        mask: bool (H, W) of the full frame, True = object; or None.
        box: (x0, y0, x1, y1) pixels of the full frame, x1 and y1 exclusive; or None.
        points: ((x, y), ...) pixels of the full frame that lie on the object; or None.

    Exactly one of mask, box and points is given.
    """

    frame: int
    mask: np.ndarray | None = None
    box: tuple[int, int, int, int] | None = None
    points: tuple[tuple[int, int], ...] | None = None

    def kind(self) -> str:
        """'mask', 'box' or 'points'; raises VideofillError unless exactly one is given."""
        given = [k for k in ("mask", "box", "points") if getattr(self, k) is not None]
        if len(given) != 1:
            raise VideofillError(f"mark on frame {self.frame}: give exactly one of mask, box, points (got {given or 'none'})")
        return given[0]


def check_marks(marks: Sequence[Mark], frame_count: int, size: tuple[int, int]) -> None:
    """Raise VideofillError (one line) for marks the tracker cannot use.

    Args:
        marks: the marks.
        frame_count: T, the number of frames of the clip.
        size: (H, W) of the frames in pixels.

    Rejects: no marks, a frame outside [0, T), two marks on one frame, not exactly one of mask/box/points, a mask of
    another size or with no object pixel, a box of zero area or not inside the frame, points outside the frame or none.
    """
    h, w = size
    if len(marks) == 0:
        raise VideofillError("no marks: give at least one mask, box or points on a frame")
    seen: set[int] = set()
    for m in marks:
        if not 0 <= int(m.frame) < frame_count:
            raise VideofillError(f"mark on frame {m.frame}, but the clip has frames 0..{frame_count - 1}")
        if m.frame in seen:
            raise VideofillError(f"two marks on frame {m.frame}; give one per frame")
        seen.add(m.frame)
        kind = m.kind()
        if kind == "mask":
            mask = np.asarray(m.mask)
            if mask.shape != (h, w):
                raise VideofillError(f"mask of frame {m.frame} is {mask.shape[:2]}, but the frames are {h}x{w} (HxW)")
            if not mask.astype(bool).any():
                raise VideofillError(f"mask of frame {m.frame} is empty: mark at least one object pixel")
        elif kind == "box":
            if len(m.box) != 4:
                raise VideofillError(f"box of frame {m.frame} must be (x0, y0, x1, y1), got {m.box}")
            x0, y0, x1, y1 = (int(v) for v in m.box)
            if x1 <= x0 or y1 <= y0:
                raise VideofillError(f"box of frame {m.frame} {m.box} has zero area (need x0 < x1 and y0 < y1)")
            if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
                raise VideofillError(f"box of frame {m.frame} {m.box} is not inside the {w}x{h} (WxH) frame")
        else:
            pts = list(m.points)
            if not pts:
                raise VideofillError(f"points of frame {m.frame}: give at least one (x, y)")
            for p in pts:
                if len(p) != 2 or not (0 <= int(p[0]) < w and 0 <= int(p[1]) < h):
                    raise VideofillError(f"point {p} of frame {m.frame} is not inside the {w}x{h} (WxH) frame")


#: GrabCut works on the frame shrunk to this longer side (px) at most; the mask is enlarged back.
GRABCUT_SIDE = 480


def _grabcut(frame: np.ndarray, init: np.ndarray, iters: int) -> np.ndarray:
    """cv2.grabCut on an RGB uint8 (H, W, 3) frame from uint8 (H, W) GC labels. Returns bool (H, W) object.

    Runs at most at GRABCUT_SIDE px (nearest-neighbour shrink of the labels), deterministic (OpenCV's generator is
    seeded: GrabCut's k-means start draws from it).
    """
    h, w = init.shape
    s = min(1.0, GRABCUT_SIDE / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    img = cv2.resize(frame, size, interpolation=cv2.INTER_AREA) if s < 1 else frame
    labels = cv2.resize(init, size, interpolation=cv2.INTER_NEAREST) if s < 1 else init.copy()
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)
    cv2.grabCut(np.ascontiguousarray(img[..., ::-1]), labels, None, bgd, fgd, iters, cv2.GC_INIT_WITH_MASK)
    obj = ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.float32)
    if s < 1:
        obj = cv2.resize(obj, (w, h), interpolation=cv2.INTER_LINEAR)
    return (obj > 0.5) & (init != cv2.GC_BGD)


def _largest_parts(mask: np.ndarray, keep: float = 0.1) -> np.ndarray:
    """Keep the connected parts of a bool (H, W) mask with at least ``keep`` of the largest part's area."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    ok = np.flatnonzero(areas >= keep * areas.max()) + 1
    return np.isin(lab, ok)


def mark_to_mask(frame: np.ndarray, mark: Mark, *, iters: int = 5, points_margin: float = 0.15,
                 moving: np.ndarray | None = None, moving_threshold: float = 2.0) -> np.ndarray:
    """The object mask a mark stands for on its frame.

    Args:
        frame: uint8 (H, W, 3) RGB, the marked frame.
        mark: the mark (its ``frame`` index is not used here).
        iters: GrabCut iterations for a box or points.
        points_margin: for points, the GrabCut region is their bounding box grown on each side by this fraction of
            the frame's longer side.
        moving: for a box, optional float32 (H, W) motion residual (:func:`videofill.track.motion.motion_residual`).
        moving_threshold: box pixels whose residual exceeds this start GrabCut as probable object, the rest of the
            box as probable background (unless fewer than 5 % of the box move: then the whole box is probable object).

    Returns:
        bool (H, W), True = object. A mask mark returns its mask (as bool). A box gives GrabCut inside the box
        (outside is background); if GrabCut finds nothing the box's inner ellipse is returned. Points give GrabCut in a
        region around them, the points (discs of radius 1 % of the longer side) being sure object pixels.
    """
    h, w = frame.shape[:2]
    kind = mark.kind()
    if kind == "mask":
        return np.asarray(mark.mask).astype(bool)
    if kind == "box":
        x0, y0, x1, y1 = (int(v) for v in mark.box)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        fallback = np.zeros((h, w), np.uint8)
        cv2.ellipse(fallback, ((x0 + x1) // 2, (y0 + y1) // 2), (max(1, (x1 - x0) // 2), max(1, (y1 - y0) // 2)), 0, 0, 360, 1, -1)
        if (x1 - x0) * (y1 - y0) >= 0.98 * h * w or min(x1 - x0, y1 - y0) < 4:
            return fallback.astype(bool)
        init = np.zeros((h, w), np.uint8)
        init[y0:y1, x0:x1] = cv2.GC_PR_FGD
        if moving is not None:
            inside = moving[y0:y1, x0:x1] > moving_threshold
            if inside.mean() >= 0.05:
                init[y0:y1, x0:x1] = np.where(inside, cv2.GC_PR_FGD, cv2.GC_PR_BGD)
        out = _grabcut(frame, init, iters)
        out = _largest_parts(out)
        return out if out.sum() >= 0.02 * (x1 - x0) * (y1 - y0) else fallback.astype(bool)
    pts = np.array([(int(x), int(y)) for x, y in mark.points])
    pad = round(points_margin * max(h, w))
    x0, y0 = max(0, pts[:, 0].min() - pad), max(0, pts[:, 1].min() - pad)
    x1, y1 = min(w, pts[:, 0].max() + pad + 1), min(h, pts[:, 1].max() + pad + 1)
    init = np.full((h, w), cv2.GC_BGD, np.uint8)
    init[y0:y1, x0:x1] = cv2.GC_PR_BGD
    r = max(1, round(0.01 * max(h, w)))
    seeds = np.zeros((h, w), np.uint8)
    for x, y in pts:
        cv2.circle(seeds, (int(x), int(y)), 4 * r, 1, -1)
    init[seeds > 0] = cv2.GC_PR_FGD
    for x, y in pts:
        cv2.circle(init, (int(x), int(y)), r, cv2.GC_FGD, -1)
    out = _grabcut(frame, init, iters)
    _, lab = cv2.connectedComponents(out.astype(np.uint8), connectivity=8)
    keep = {int(lab[y, x]) for x, y in pts} - {0}
    return np.isin(lab, list(keep)) if keep else seeds > 0
