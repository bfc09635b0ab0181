"""Texture synthesis for what no frame shows: exemplar patches of the same video instead of Telea's smear.

Not part of the paper. Propagation (:mod:`videofill.fill.propagate`) fills a hole pixel from the frames that show
it; a pixel that no frame shows (a static logo, a watermark, a person who never moves away) gets the frame's spatial
fill, a smooth smear. This module fills those pixels with texture taken from the known pixels of the same video:

- :func:`patch_synthesis`: one image. Multi-scale PatchMatch (Barnes et al. 2009) inside the EM completion of
  Wexler et al. (2007): at each scale, every patch that overlaps the hole is matched to its nearest fully known patch
  (propagation + random search, vectorised over all patches at once), then every hole pixel is the weighted vote of
  the matched patches that cover it; from coarse to fine, each scale starting from the previous one's matches.
- :func:`synthesize_video`: the pixels of a video that propagation left unseen. With a static camera the video has
  one background *plate* (per pixel, the median of the frames that show it); its never-shown pixels are synthesised
  once and every frame takes them (with the frame's colour offset at the hole's edge), so the fill is stable in time.
  With a moving camera each frame is synthesised on its own, its matches started from the previous frame's.

Conventions: images uint8 (H, W, 3) RGB or (T, H, W, 3); masks bool, True = to fill; coordinates (y, x) in pixels.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

#: Patch side in pixels (odd).
PATCH = 7
#: EM iterations (match + vote) at the coarsest scale and at every finer one.
EM_COARSE, EM_FINE = 8, 3
#: PatchMatch sweeps (propagation + random search) per EM iteration.
SWEEPS = 3
#: Hole pixels d px from the known region count CONFIDENCE_DECAY ** -d as much as known ones in patch distances
#: (Wexler et al. 2007): the matches follow the known context more than the current guess inside the hole.
CONFIDENCE_DECAY = 1.3
#: Only parts of the unseen region that hold a disc of this radius (px) are synthesised (see :func:`thick_parts`).
MIN_RADIUS_PX = 6.0
#: Copies of a hole that :func:`synthesis_wins` fills both ways to choose between patches and diffusion.
VALIDATION_SHIFTS = 2
#: Patches must beat diffusion on those copies by this factor of squared error (0.8: about 1 dB), since the copies
#: lie on the plate, which is easier than the frames (the plate does not move; the scene may).
VALIDATION_MARGIN = 0.8
#: A frame takes the plate's synthesised part only where the known ring around it differs from the plate by at most
#: this much (mean absolute difference, 0-255): elsewhere something moves at the hole's edge and the frame's own
#: spatial fill follows it better.
PLATE_TOLERANCE = 12.0
#: Mean corner displacement (px per frame) of the fitted homographies below which the camera counts as static.
STATIC_CAMERA_PX = 0.6


def _pyramid_levels(hole: np.ndarray, patch: int, shape: tuple[int, int]) -> int:
    """How many times to halve the image: until the hole is about a patch thick, keeping >= 4 patches a side."""
    inside = cv2.distanceTransform(np.pad(hole, 1).astype(np.uint8), cv2.DIST_L2, 3)
    thickness = float(inside.max())
    levels = 0
    while thickness > patch / 2 and min(shape) / 2 ** (levels + 1) >= 4 * patch:
        thickness /= 2
        levels += 1
    return levels


class _Level:
    """One scale: the image (float32, padded by the patch radius), its hole, the valid source centres, and every
    pixel's patch as a row of numbers (the sources' rows never change; the targets' are refreshed after each vote)."""

    def __init__(self, image: np.ndarray, hole: np.ndarray, source: np.ndarray, patch: int):
        self.radius = r = patch // 2
        self.height, self.width = hole.shape
        self.image = cv2.copyMakeBorder(image.astype(np.float32), r, r, r, r, cv2.BORDER_REFLECT)
        self.hole = hole
        kernel = np.ones((patch, patch), np.uint8)
        usable = cv2.erode(source.astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
        if not usable.any():  # nothing fully known: accept any patch centred on a source pixel
            usable = source.copy()
        self.valid = usable
        self.valid_yx = np.argwhere(usable)
        grown = cv2.dilate(hole.astype(np.uint8), kernel) > 0
        self.targets = np.argwhere(grown)  # (n, 2): centres of the patches that overlap the hole
        self.offsets = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)]
        windows = np.lib.stride_tricks.sliding_window_view(self.image, (patch, patch), axis=(0, 1))
        self.rows = np.ascontiguousarray(windows.reshape(self.height * self.width, -1))  # (H * W, 3 * patch^2)
        # confidence of each pixel in a distance: 1 when known, CONFIDENCE_DECAY ** -d at d px inside the hole
        depth = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
        confidence = cv2.copyMakeBorder(CONFIDENCE_DECAY ** -depth, r, r, r, r, cv2.BORDER_REFLECT).astype(np.float32)
        cw = np.lib.stride_tricks.sliding_window_view(confidence, (patch, patch))
        self.target_weights = np.tile(cw[self.targets[:, 0], self.targets[:, 1]].reshape(len(self.targets), -1), 3)
        self.refresh()

    def refresh(self):
        """Recompute the targets' patch rows from the current image."""
        p = 2 * self.radius + 1
        ty, tx = self.targets[:, 0], self.targets[:, 1]
        windows = np.lib.stride_tricks.sliding_window_view(self.image, (p, p), axis=(0, 1))
        self.target_rows = np.ascontiguousarray(windows[ty, tx].reshape(len(ty), -1))

    def distance(self, index, sy, sx):
        """Sum of squared differences (float32 (n,)) between the patches of targets ``index`` and those centred at
        (sy, sx)."""
        diff = self.target_rows[index] - self.rows[sy * self.width + sx]
        return np.einsum("ij,ij,ij->i", diff, diff, self.target_weights[index])

    def random_sources(self, count, rng):
        pick = self.valid_yx[rng.integers(0, len(self.valid_yx), count)]
        return pick[:, 0], pick[:, 1]


def _improve(level, ty, tx, sy, sx, dist, cy, cx):
    """Keep the candidate sources (cy, cx) that are valid and closer than the current ones (in place)."""
    cy = np.clip(cy, 0, level.height - 1)
    cx = np.clip(cx, 0, level.width - 1)
    ok = level.valid[cy, cx]
    if not ok.any():
        return
    index = np.flatnonzero(ok)
    d = level.distance(index, cy[index], cx[index])
    better = d < dist[index]
    index = index[better]
    sy[index], sx[index], dist[index] = cy[index], cx[index], d[better]


def _patchmatch(level, sy, sx, rng, sweeps):
    """Nearest valid source patch (sy, sx) for every target of ``level``, improved from the given start."""
    ty, tx = level.targets[:, 0], level.targets[:, 1]
    dist = level.distance(np.arange(len(ty)), sy, sx)
    field = np.full((level.height, level.width, 2), -1, np.int32)
    for _ in range(sweeps):
        field[ty, tx, 0], field[ty, tx, 1] = sy, sx
        for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):  # a neighbour's match, shifted back: coherent patches
            ny, nx = np.clip(ty - dy, 0, level.height - 1), np.clip(tx - dx, 0, level.width - 1)
            has = field[ny, nx, 0] >= 0
            cy = np.where(has, field[ny, nx, 0] + dy, sy)
            cx = np.where(has, field[ny, nx, 1] + dx, sx)
            _improve(level, ty, tx, sy, sx, dist, cy, cx)
        radius = max(level.height, level.width)
        while radius >= 1:
            cy = sy + rng.integers(-radius, radius + 1, len(sy))
            cx = sx + rng.integers(-radius, radius + 1, len(sx))
            _improve(level, ty, tx, sy, sx, dist, cy, cx)
            radius //= 2
        ry, rx = level.random_sources(len(sy), rng)
        _improve(level, ty, tx, sy, sx, dist, ry, rx)
    return sy, sx, dist


def _vote(level, sy, sx, dist):
    """Every hole pixel as the weighted mean of the source pixels the matched patches put on it (in place)."""
    r, height, width = level.radius, level.height, level.width
    ty, tx = level.targets[:, 0], level.targets[:, 1]
    sigma2 = max(float(np.percentile(dist, 75)), 1e-3)
    weight = np.exp(-dist / (2.0 * sigma2)).astype(np.float64) + 1e-12
    total = np.zeros((height * width, 3))
    norm = np.zeros(height * width)
    for dy, dx in level.offsets:
        py, px = ty + dy, tx + dx
        inside = (py >= 0) & (py < height) & (px >= 0) & (px < width)
        flat = py[inside] * width + px[inside]
        values = level.image[sy[inside] + r + dy, sx[inside] + r + dx]
        w = weight[inside]
        norm += np.bincount(flat, w, height * width)
        for c in range(3):
            total[:, c] += np.bincount(flat, w * values[:, c], height * width)
    hole = level.hole.reshape(-1)
    covered = hole & (norm > 0)
    filled = level.image[r : r + height, r : r + width].reshape(-1, 3).copy()
    filled[covered] = total[covered] / norm[covered, None]
    level.image[r : r + height, r : r + width] = filled.reshape(height, width, 3)
    level.refresh()


def patch_synthesis(
    image: np.ndarray,
    hole: np.ndarray,
    source: np.ndarray | None = None,
    patch: int = PATCH,
    seed: int = 0,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    return_matches: bool = False,
    sharpen: bool = True,
):
    """Fill ``hole`` of one image with patches of its known part (multi-scale PatchMatch + EM voting).

    Args:
        image: uint8 (H, W, 3) RGB; its hole pixels are used only as the coarsest scale's start (fill them with
            something smooth, e.g. Telea, or leave them: they are replaced by Telea at the coarsest scale).
        hole: bool (H, W), True = to fill.
        source: bool (H, W), pixels patches may be taken from (default: ``~hole``).
        patch: patch side in pixels (odd, >= 3).
        seed: seeds the random search.
        start: (y, x) int arrays (H, W) of a previous image's matches at full scale (e.g. the previous frame's), used
            as the finest scale's starting matches where they are valid.
        return_matches: also return the matches.
        sharpen: end with each hole pixel copied from the centre of its patch's match instead of the vote of every
            patch over it (the vote blurs where overlapping matches disagree).

    Returns:
        uint8 (H, W, 3): ``image`` with its hole filled (known pixels unchanged); with ``return_matches``, also
        (y, x) int32 (H, W) arrays: the centre of the source patch matched to each pixel's patch (-1 where none).
    """
    if patch < 3 or patch % 2 == 0:
        raise ValueError(f"patch_synthesis: patch must be odd and >= 3, got {patch}")
    hole = np.asarray(hole, bool)
    source = ~hole if source is None else (np.asarray(source, bool) & ~hole)
    height, width = hole.shape
    if not hole.any() or not source.any():
        out = image.copy()
        return (out, (np.full(hole.shape, -1, np.int32),) * 2) if return_matches else out
    rng = np.random.default_rng(seed)
    levels = _pyramid_levels(hole, patch, (height, width))
    images, holes, sources = [image.astype(np.float32)], [hole], [source]
    for _ in range(levels):
        size = (math.ceil(images[-1].shape[1] / 2), math.ceil(images[-1].shape[0] / 2))
        images.append(cv2.resize(images[-1], size, interpolation=cv2.INTER_AREA))
        holes.append(cv2.resize(holes[-1].astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0)
        sources.append(cv2.resize(sources[-1].astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.999)
    coarse = np.clip(images[-1], 0, 255).astype(np.uint8)
    images[-1] = cv2.inpaint(coarse, holes[-1].astype(np.uint8), 3, cv2.INPAINT_TELEA).astype(np.float32)
    previous = None  # (level, sy, sx) of the coarser scale
    for index in range(levels, -1, -1):
        level = _Level(images[index], holes[index], sources[index], patch)
        if previous is not None:  # the coarser fill, upsampled, is this scale's start in the hole
            coarser = previous[0]
            inside = coarser.image[coarser.radius : coarser.radius + coarser.height, coarser.radius : coarser.radius + coarser.width]
            up = cv2.resize(inside, (level.width, level.height), interpolation=cv2.INTER_LINEAR)
            r = level.radius
            inner = level.image[r : r + level.height, r : r + level.width]
            inner[level.hole] = up[level.hole]
            level.refresh()
        ty, tx = level.targets[:, 0], level.targets[:, 1]
        sy, sx = level.random_sources(len(ty), rng)
        if previous is not None:
            coarse_level, csy, csx = previous
            field = np.full((coarse_level.height, coarse_level.width, 2), -1, np.int32)
            field[coarse_level.targets[:, 0], coarse_level.targets[:, 1], 0] = csy
            field[coarse_level.targets[:, 0], coarse_level.targets[:, 1], 1] = csx
            cy, cx = np.minimum(ty // 2, coarse_level.height - 1), np.minimum(tx // 2, coarse_level.width - 1)
            has = field[cy, cx, 0] >= 0
            uy = np.clip(field[cy, cx, 0] * 2 + ty % 2, 0, level.height - 1)
            ux = np.clip(field[cy, cx, 1] * 2 + tx % 2, 0, level.width - 1)
            take = has & level.valid[uy, ux]
            sy, sx = np.where(take, uy, sy), np.where(take, ux, sx)
        if index == 0 and start is not None:
            py, px = start[0][ty, tx], start[1][ty, tx]
            take = (py >= 0) & level.valid[np.clip(py, 0, height - 1), np.clip(px, 0, width - 1)]
            sy, sx = np.where(take, py, sy), np.where(take, px, sx)
        for _ in range(EM_COARSE if index == levels else EM_FINE):
            sy, sx, dist = _patchmatch(level, sy, sx, rng, SWEEPS)
            _vote(level, sy, sx, dist)
        previous = (level, sy, sx)
    level, sy, sx = previous
    r = level.radius
    if sharpen:  # each hole pixel: the centre of its own patch's match (a copy, not a blend of overlapping votes)
        ty, tx = level.targets[:, 0], level.targets[:, 1]
        inner = level.image[r : r + height, r : r + width]
        centre = level.hole[ty, tx]
        inner[ty[centre], tx[centre]] = level.image[sy[centre] + r, sx[centre] + r]
    out = image.copy()
    result = np.clip(np.rint(level.image[r : r + height, r : r + width]), 0, 255).astype(np.uint8)
    out[hole] = result[hole]
    if not return_matches:
        return out
    my, mx = np.full(hole.shape, -1, np.int32), np.full(hole.shape, -1, np.int32)
    my[level.targets[:, 0], level.targets[:, 1]] = sy
    mx[level.targets[:, 0], level.targets[:, 1]] = sx
    return out, (my, mx)


def thick_parts(mask: np.ndarray, radius: float = MIN_RADIUS_PX) -> np.ndarray:
    """The connected parts (8-connected) of ``mask`` (bool (H, W)) that hold a disc of ``radius`` px: bool (H, W).

    Thin parts (text strokes, a thin outline) are filled better by diffusion from their two close edges than by
    patches, which need a hole wider than themselves to match on."""
    if not mask.any():
        return mask.copy()
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    depth = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    deepest = np.zeros(count, np.float32)
    np.maximum.at(deepest, labels.ravel(), depth.ravel())
    keep = deepest >= radius
    keep[0] = False
    return keep[labels]


def synthesis_wins(image: np.ndarray, hole: np.ndarray, known: np.ndarray, patch: int = PATCH, seed: int = 0) -> bool:
    """Whether patches fill a hole of this shape better than Telea's diffusion in this image: both fill copies of
    ``hole`` moved beside it (left, right, above, below: the first :data:`VALIDATION_SHIFTS` that land on known
    pixels only) and the one with the lower squared error over those copies wins (no truth needed: the copies lie on
    known pixels). Patches lose when no copy fits.

    Args:
        image: uint8 (H, W, 3); hole: bool (H, W); known: bool (H, W), pixels whose values are real.
    """
    ys, xs = np.nonzero(hole)
    if len(ys) == 0:
        return False
    height, width = hole.shape
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    errors = np.zeros(2)
    tried = 0
    for dy, dx in ((0, -w - patch), (0, w + patch), (-h - patch, 0), (h + patch, 0)):
        if tried == VALIDATION_SHIFTS:
            break
        ty, tx = ys + dy, xs + dx
        if ty.min() < 0 or tx.min() < 0 or ty.max() >= height or tx.max() >= width:
            continue
        test = np.zeros_like(hole)
        test[ty, tx] = True
        grown = cv2.dilate(test.astype(np.uint8), np.ones((patch, patch), np.uint8)) > 0
        if not known[grown].all():
            continue
        tried += 1
        diffused = cv2.inpaint(image, test.astype(np.uint8), 3, cv2.INPAINT_TELEA)
        patched = patch_synthesis(diffused, test, source=known & ~test, patch=patch, seed=seed)
        for k, fill in enumerate((diffused, patched)):
            errors[k] += np.square(fill[test].astype(np.float64) - image[test]).mean()
    return tried > 0 and errors[1] < VALIDATION_MARGIN * errors[0]


def camera_is_static(homographies: np.ndarray, height: int, width: int, threshold: float = STATIC_CAMERA_PX) -> bool:
    """Whether every fitted homography (float (T - 1, 3, 3), frame t -> t + 1) moves the frame's corners by less
    than ``threshold`` px on average."""
    if len(homographies) == 0:
        return True
    corners = np.array([[0, 0, 1], [width - 1, 0, 1], [0, height - 1, 1], [width - 1, height - 1, 1]], np.float64)
    for matrix in homographies:
        mapped = corners @ matrix.T
        moved = mapped[:, :2] / mapped[:, 2:3] - corners[:, :2]
        if np.linalg.norm(moved, axis=1).mean() >= threshold:
            return False
    return True


def background_plate(frames: np.ndarray, holes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The static camera's background: per pixel, the median of the frames where it is known.

    Args:
        frames: uint8 (T, H, W, 3); holes: bool (T, H, W).

    Returns:
        uint8 (H, W, 3) plate (0 where no frame shows the pixel) and bool (H, W): pixels no frame shows.
    """
    stack = frames.astype(np.float32)
    stack[holes] = np.nan
    never = holes.all(axis=0)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            plate = np.nanmedian(stack, axis=0)
    plate[never] = 0
    return np.clip(np.rint(plate), 0, 255).astype(np.uint8), never


def _edge_offset(frame, plate, hole, width_px=4, absolute=False):
    """Per channel, the mean of frame - plate over the known ring around ``hole`` (float32 (3,)); with ``absolute``,
    the mean absolute difference over the ring and the channels (float)."""
    kernel = np.ones((2 * width_px + 1,) * 2, np.uint8)
    ring = (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & ~hole
    if not ring.any():
        return 0.0 if absolute else np.zeros(3, np.float32)
    if absolute:
        return float(np.abs(frame[ring].astype(np.float32) - plate[ring].astype(np.float32)).mean())
    return (frame[ring].astype(np.float32) - plate[ring].astype(np.float32)).mean(axis=0)


def synthesize_video(
    frames: np.ndarray,
    holes: np.ndarray,
    unseen: np.ndarray,
    homographies: np.ndarray | None = None,
    patch: int = PATCH,
    seed: int = 0,
    min_radius: float = MIN_RADIUS_PX,
) -> np.ndarray:
    """Fill the ``unseen`` pixels of a video with texture synthesised from its known pixels.

    Args:
        frames: uint8 (T, H, W, 3): the video with its holes filled (e.g. propagated); pixels outside ``unseen`` are
            kept and serve as context, pixels outside ``holes`` as the exemplar.
        holes: bool (T, H, W), True = hole (never used as an exemplar).
        unseen: bool (T, H, W), the hole pixels to replace (a subset of ``holes``).
        homographies: float (T - 1, 3, 3) frame t -> t + 1 (:class:`videofill.fill.propagate.Propagation`); the
            camera is taken to be static when they move the corners by less than :data:`STATIC_CAMERA_PX` (None:
            static).
        patch: patch side in pixels.
        seed: seeds the random search.
        min_radius: only the parts of ``unseen`` that are this thick are replaced (:func:`thick_parts`).

    Returns:
        uint8 (T, H, W, 3): ``frames`` with the (thick parts of the) ``unseen`` pixels replaced.
    """
    out = frames.copy()
    unseen = np.stack([thick_parts(u & h, min_radius) for u, h in zip(unseen, holes)])
    if not unseen.any():
        return out
    count, height, width = holes.shape
    static = homographies is None or camera_is_static(homographies, height, width)
    if static:
        plate, never = background_plate(frames, holes)
        region = never | unseen.any(axis=0)
        context = cv2.inpaint(plate, never.astype(np.uint8), 3, cv2.INPAINT_TELEA) if never.any() else plate
        thick = thick_parts(never, min_radius)  # synthesised once, for every frame
        count_parts, labels = cv2.connectedComponents(thick.astype(np.uint8), connectivity=8)
        parts = [labels == label for label in range(1, count_parts)]
        parts = [part for part in parts if synthesis_wins(context, part, ~never, patch, seed)]  # patches measure better
        filled = context
        if parts:
            chosen = np.any(parts, axis=0)
            filled = patch_synthesis(context, chosen, source=~never, patch=patch, seed=seed)
        for t in range(count):
            take = unseen[t] & ~never  # shown by a frame too far away or too unsure for propagation: the plate
            offset = _edge_offset(frames[t], filled, region & holes[t])
            for part in parts:  # the synthesised part, where the frame around it still looks like the plate
                if _edge_offset(frames[t], filled, part, absolute=True) <= PLATE_TOLERANCE:
                    take |= part & unseen[t]
            if take.any():
                value = np.clip(filled.astype(np.float32) + offset, 0, 255)
                out[t][take] = np.rint(value[take]).astype(np.uint8)
        return out
    first = next(t for t in range(count) if unseen[t].any())
    if not synthesis_wins(frames[first], unseen[first], ~holes[first], patch, seed):
        return out
    start = None
    for t in range(count):
        if not unseen[t].any():
            continue
        out[t], start = patch_synthesis(frames[t], unseen[t], source=~holes[t], patch=patch, seed=seed + t,
                                        start=start, return_matches=True)
    return out


def fill_unseen(propagation, holes: np.ndarray, size: tuple[int, int] | None = None, seed: int = 0):
    """Propagation's result with the pixels that no frame shows synthesised (:func:`synthesize_video`).

    Args:
        propagation: a :class:`videofill.fill.propagate.Propagation` of the video.
        holes: bool (T, H, W), the holes it filled.
        size: (W, h) of the real frames inside padded ones (the padding, at the right and bottom, is left alone);
            None: the whole frames.
        seed: seeds the random search.

    Returns:
        A new :class:`~videofill.fill.propagate.Propagation` whose ``frames`` have the unseen pixels synthesised
        (``seen``, ``trusted`` and ``homographies`` unchanged).
    """
    import dataclasses

    width, height = size if size is not None else (holes.shape[2], holes.shape[1])
    frames = propagation.frames[:, :height, :width]
    real = holes[:, :height, :width]
    unseen = real & ~propagation.seen[:, :height, :width]
    out = propagation.frames.copy()
    out[:, :height, :width] = synthesize_video(frames, real, unseen, propagation.homographies, seed=seed)
    return dataclasses.replace(propagation, frames=out)


__all__ = ["PATCH", "STATIC_CAMERA_PX", "background_plate", "camera_is_static", "fill_unseen", "thick_parts", "patch_synthesis", "synthesize_video"]
