"""Texture synthesis in one image: multi-scale PatchMatch inside EM completion.

Not part of the paper. :func:`patch_synthesis` fills a hole with patches of the image's known part: at each scale,
every patch that overlaps the hole is matched to its nearest fully known patch (PatchMatch, Barnes et al. 2009:
propagation + random search, vectorised over all patches at once), then every hole pixel is the weighted vote of the
matched patches that cover it (Wexler et al. 2007), from coarse to fine, each scale starting from the previous one's
matches. :mod:`videofill.fill.synthesis` decides where a video uses it.

Conventions: images uint8 (H, W, 3) RGB; masks bool, True = to fill; coordinates (y, x) in pixels.
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
#: The coarsest scale keeps this many patch sides on the image's short side. With fewer, one patch spans so much of
#: the scene that its match there is arbitrary (4, the earlier bound, put hedge and a pillar's texture where girls
#: stood in front of a wall, benchmarks/results/unseen.md "Night 4").
COARSEST_PATCHES = 8


def _pyramid_levels(hole: np.ndarray, patch: int, shape: tuple[int, int]) -> int:
    """How many times to halve the image: until the hole is about a patch thick, or until one more halving would
    leave the image's short side under :data:`COARSEST_PATCHES` patch sides."""
    inside = cv2.distanceTransform(np.pad(hole, 1).astype(np.uint8), cv2.DIST_L2, 3)
    thickness = float(inside.max())
    levels = 0
    while thickness > patch / 2 and min(shape) / 2 ** (levels + 1) >= COARSEST_PATCHES * patch:
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


__all__ = ["PATCH", "patch_synthesis"]
