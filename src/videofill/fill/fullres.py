"""Full-resolution fill: propagation's copies taken again from the input's own frames, at the input's resolution.

Flows and motion models are estimated at the working size (:mod:`videofill.fill.propagate`); here they are scaled up
(positions mapped between the grids pixel centre to pixel centre, flow vectors multiplied by the size ratio) and
every hole pixel of the input is followed through them and read (bicubic away from the hole,
:func:`videofill.fill.propagate.read_copy`) from the full-resolution frame that shows it, the same consensus as at
the working size deciding between the copies. Pixels that no frame shows take the working-size fill, upscaled
(bicubic): the working-size propagation's spatial fill, or the network's output. The feathered edge
(:func:`videofill.fill.inference.feather_patch`) is computed at full resolution on the box around the hole, the fill
of the known ring around the hole being the copies of those pixels (the input itself where none is found), so it
matches the colour of the copies to their surroundings.

Memory: the frames of one window are held as they are (uint8); hole pixels are processed in chunks of at most
:data:`CHUNK_POINTS`, and each frame's feathering is done on the box around its hole, so no full-resolution float
copy of a frame is made (a 4000x2000 frame pair takes a few hundred MB at most).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from videofill.config import COMBINES
from videofill.fill.inference import feather_margin, feather_patch, hole_box
from videofill.fill.propagate import (
    AGREEMENT_TOLERANCE,
    ONE_COPY_RADIUS,
    Propagation,
    combined,
    confirmed,
    consensus,
    copies,
    sample_points,
    to_grid,
)

#: Hole pixels followed together (bounds the float work arrays: about 100 bytes per point).
CHUNK_POINTS = 1 << 17
#: Frames' known-pixel masks kept between steps (each uint8 (H, W)).
KNOWN_CACHE = 8
#: Working pixels within this many of the hole's edge are followed at full resolution even when the working size
#: found no copy of them (the finer mask there may let a copy land on known pixels).
EDGE_PX = 2


@dataclass
class FullResolutionFill:
    """The full-resolution result of :func:`fill_full_resolution`.

    Attributes:
        frames: uint8 (T, H, W, 3): the input with its holes filled (known pixels are the input's, bit for bit).
        seen: bool (T, H, W): hole pixels some other frame shows (filled from it); the others took the upscaled fill.
        trusted: bool (T, H, W): seen pixels whose copies are confirmed (:func:`videofill.fill.propagate.confirmed`).
    """

    frames: np.ndarray
    seen: np.ndarray
    trusted: np.ndarray


def _fill_points(frames, known, models, t, points, reach, scale, low, worth, whole_hole, tolerance, trusted_only,
                 combine="median"):
    """Values (uint8 (N, 3)), seen and trusted (bool (N,)) of ``points`` (float32 (N, 2), hole pixels of frame t);
    only the points where ``worth`` (uint8 working grid) is set are followed."""
    grid = to_grid(points, scale)
    values = sample_points(low, grid, cv2.INTER_CUBIC, cv2.BORDER_REPLICATE)
    seen = np.zeros(len(points), bool)
    trusted = np.zeros(len(points), bool)
    follow = np.flatnonzero(sample_points(worth, grid, cv2.INTER_NEAREST, cv2.BORDER_REPLICATE) > 0)
    if not len(follow):
        return values, seen, trusted
    spatial = None if whole_hole else sample_points(models.spatial[t], grid[follow], cv2.INTER_CUBIC, cv2.BORDER_REPLICATE)
    candidates = copies(frames, known, models, t, points[follow], reach, scale)
    fill = consensus(candidates, spatial, models.fallback)
    radius = max(1, round(ONE_COPY_RADIUS * max(scale)))  # the scoring square as large in the scene as at working size
    fill = combined(candidates, fill, points[follow], frames.shape[1:3], combine, radius)
    fill = np.clip(np.rint(fill), 0, 255).astype(np.uint8)
    seen[follow] = np.any([found for c in candidates for found in (c[1], c[3])], axis=0)
    trusted[follow] = confirmed(candidates, fill.astype(np.float32), tolerance)
    take = follow[trusted[follow] if trusted_only else seen[follow]]
    values[take] = fill[(trusted if trusted_only else seen)[follow]]
    return values, seen, trusted


def _worth_following(seen: np.ndarray, holes: np.ndarray, replaced: np.ndarray | None = None) -> np.ndarray:
    """uint8 (h, w): working pixels whose full-resolution pixels may find a copy: those that found one at the working
    size, the hole's edge band (:data:`EDGE_PX`) and the known pixels, grown by one pixel; never those ``replaced``
    (bool (h, w) or None: :attr:`videofill.fill.propagate.Propagation.replaced`)."""
    square = np.ones((2 * EDGE_PX + 1,) * 2, np.uint8)
    edge = cv2.dilate((~holes).astype(np.uint8), square) > 0
    worth = cv2.dilate((seen | edge).astype(np.uint8), np.ones((3, 3), np.uint8))
    if replaced is not None:
        worth[replaced] = 0
    return worth


def _ring_copies(frames, known, models, t, points, reach, scale):
    """Copies of known pixels next to the hole (float32 (N, 3)): their consensus, the input itself where none is found."""
    candidates = copies(frames, known, models, t, points, reach, scale)
    found = np.any([f for c in candidates for f in (c[1], c[3])], axis=0)
    own = frames[t][points[:, 1].astype(int), points[:, 0].astype(int)].astype(np.float32)
    if not found.any():
        return own
    return np.where(found[:, None], consensus(candidates, None, own.mean(axis=0)), own)


def _chunks(count: int, size: int):
    return (slice(start, min(count, start + size)) for start in range(0, count, size))


def fill_full_resolution(
    frames: np.ndarray,
    holes: np.ndarray,
    propagation: Propagation,
    working_holes: np.ndarray,
    working_size: tuple[int, int],
    low_fill: np.ndarray,
    *,
    max_distance: int | None = None,
    feather: int = 0,
    tolerance: float = AGREEMENT_TOLERANCE,
    trusted_only: bool = False,
    chunk: int = CHUNK_POINTS,
    combine: str = "median",
) -> FullResolutionFill:
    """Fill the input's holes at its own resolution from the frames that show them (see the module docstring).

    Args:
        frames: uint8 (T, H, W, 3) RGB, the input at full resolution; its hole pixels are never read.
        holes: bool (T, H, W), True = hole.
        propagation: the working-size propagation (its last pass) with its motion models; its grid may be padded at
            the right and bottom beyond ``working_size``. Full-resolution pixels are followed only where it found a
            copy or near the hole's edge (:data:`EDGE_PX`), and never where a later stage ``replaced`` its fill; the
            others take ``low_fill`` at once.
        working_holes: bool (T, h', w'), the holes on that grid.
        working_size: (w, h), the working size the full frames were scaled to (before padding).
        low_fill: uint8 (T, h, w, 3) the working-size result (unpadded): what pixels no frame shows get, upscaled.
        max_distance: look at most this many frames away (None: the whole clip).
        feather: ramp width in px at full resolution (:func:`videofill.fill.inference.composite`); 0: none.
        tolerance: see :data:`videofill.fill.propagate.AGREEMENT_TOLERANCE`.
        trusted_only: take only the confirmed copies (the rest from ``low_fill``), for a network's output.
        chunk: hole pixels followed together.
        combine: how the copies are combined (:data:`videofill.config.COMBINES`), as at the working size.

    Returns:
        :class:`FullResolutionFill`.
    """
    if combine not in COMBINES:
        raise ValueError(f"fill_full_resolution: combine must be one of {', '.join(COMBINES)}, got {combine!r}")
    count, height, width = holes.shape
    models = propagation.models
    scale = (width / working_size[0], height / working_size[1])
    reach = count if max_distance is None else max_distance

    @functools.lru_cache(maxsize=KNOWN_CACHE)
    def known(s: int) -> np.ndarray:
        return np.where(holes[s], np.uint8(0), np.uint8(255))

    out = frames.copy()
    seen = np.zeros_like(holes)
    trusted = np.zeros_like(holes)
    margin = feather_margin(feather)
    for t in range(count):
        hole = holes[t]
        if not hole.any():
            continue
        box = hole_box(hole, margin)
        inner = hole[box]
        ys, xs = np.nonzero(inner)
        points = np.stack([xs + box[1].start, ys + box[0].start], axis=1).astype(np.float32)
        values = np.empty((len(points), 3), np.uint8)
        seen_t = np.empty(len(points), bool)
        trusted_t = np.empty(len(points), bool)
        replaced = None if propagation.replaced is None else propagation.replaced[t]
        worth = _worth_following(propagation.seen[t], working_holes[t], replaced)
        whole = bool(hole.all())
        for part in _chunks(len(points), chunk):
            values[part], seen_t[part], trusted_t[part] = _fill_points(
                frames, known, models, t, points[part], reach, scale, low_fill[t], worth, whole, tolerance,
                trusted_only, combine,
            )
        seen[t][box][inner] = seen_t
        trusted[t][box][inner] = trusted_t
        if feather > 0:
            patch = frames[t][box].astype(np.float32)
            patch[inner] = values
            reach_px = int(np.ceil(4 * max(feather / 2.0, 0.5))) + 1  # the known pixels the Gaussian carries in
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach_px + 1,) * 2)
            ring = (cv2.dilate(inner.astype(np.uint8), kernel) > 0) & ~inner
            ry, rx = np.nonzero(ring)
            ring_points = np.stack([rx + box[1].start, ry + box[0].start], axis=1).astype(np.float32)
            for part in _chunks(len(ring_points), chunk):
                patch[ry[part], rx[part]] = _ring_copies(frames, known, models, t, ring_points[part], reach, scale)
            patch = feather_patch(frames[t][box], inner, patch, feather)
            values = np.clip(patch[inner] + 0.5, 0, 255).astype(np.uint8)
        out[t][box][inner] = values
    return FullResolutionFill(out, seen, trusted)


__all__ = ["CHUNK_POINTS", "FullResolutionFill", "fill_full_resolution"]
