"""Smooth fills of a hole from its edge: the membrane (Laplace's equation) and the thin plate (the biharmonic one).

Not part of the paper. The membrane: each hole pixel becomes the mean of its four neighbours, every hole pixel at
once: the harmonic interpolation of the hole's edge, solved exactly as one sparse linear system
(:mod:`scipy.sparse`). Where nothing about the hole is known, it is closer to the truth in squared error than Telea's
fast marching (``cv2.INPAINT_TELEA``), which carries the edge's pixels inwards along streaks (frame by frame on the
never-revealed holes of benchmarks/results/unseen.md, "Night 5": boxes +0.4 and +0.9 dB, watermarks +0.8 and +0.7 dB
on its two layouts). It has no texture at all: :mod:`videofill.fill.synthesis` uses it (or the thin plate, below) as
the smooth candidate, as the coarse part of the network's hedge and as the exemplar copies' guide, and the membrane
alone to carry a frame's difference from the background plate into the hole.

The thin plate (:func:`thin_plate_fill`, scikit-image's ``inpaint_biharmonic``) also continues the edge's slopes, not
only its values: a gradient or an edge that runs into the hole runs on, where the membrane flattens it. That guesses
better where the hole hides a continuation (a wall's shading, an edge crossing a letter) and overshoots where it
hides something else; the synthesis measures which does better on copies of the hole (benchmarks/results/unseen.md,
"Night 7").

Conventions: masks bool (H, W), True = to fill.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

#: 4-neighbourhood steps (dy, dx).
_NEIGHBOURS = ((0, 1), (0, -1), (1, 0), (-1, 0))
#: What :func:`membrane_fill` gives a hole that is the whole image (nothing to interpolate from): mid-grey.
EMPTY_GREY = 128
#: The smooth fills, by name: the membrane (:func:`membrane_fill`), the thin plate (:func:`thin_plate_fill`, which
#: continues slopes and so guesses better or overshoots) and their mean, which hedges between the two. What
#: "diffusion" is on the static plate of :mod:`videofill.fill.synthesis` is the one among them with the lowest error
#: on copies of the hole: on the 16 never-revealed holes of benchmarks/results/unseen.md ("Night 7"), diffusion alone
#: went from +0.43 / +0.92 dB over Telea on the boxes (two layouts) and +0.77 / +0.67 on the watermarks with the
#: membrane to +0.84 / +0.95 and +1.36 / +0.75 with the choice.
SMOOTHS = ("membrane", "thin plate", "membrane+thin plate")
#: (key, system) of the last hole solved, reused while the same hole comes again (every frame of a fixed hole);
#: replaced in one assignment, so a thread reads a key with its own system.
_cached_system = (None, None)


def _system(hole: np.ndarray):
    """The linear system of :func:`membrane_solve` for ``hole`` (bool (H, W)), factorised, cached for the last hole.

    Returns:
        (ys, xs, solver, borders): int64 (N,) coordinates of the N hole pixels; the sparse LU factorisation of the
        (N, N) matrix; per neighbour step, (dy, dx, int64 indices into the N pixels whose neighbour at that step is
        known).
    """
    global _cached_system
    key = (hole.shape, hole.tobytes())
    cached_key, system = _cached_system
    if cached_key != key:
        height, width = hole.shape
        ys, xs = np.nonzero(hole)
        count = len(ys)
        index = np.full((height, width), -1, np.int64)
        index[ys, xs] = np.arange(count)
        degree = np.zeros(count)
        rows, cols, borders = [np.arange(count)], [np.arange(count)], []
        for dy, dx in _NEIGHBOURS:
            ny, nx = ys + dy, xs + dx
            inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
            degree += inside
            at = np.flatnonzero(inside)
            unknown = hole[ny[at], nx[at]]
            rows.append(at[unknown])
            cols.append(index[ny[at[unknown]], nx[at[unknown]]])
            borders.append((dy, dx, at[~unknown]))
        data = np.concatenate([degree] + [-np.ones(len(r)) for r in rows[1:]])
        matrix = scipy.sparse.csc_matrix((data, (np.concatenate(rows), np.concatenate(cols))), shape=(count, count))
        # the matrix is symmetric: an ordering for A + A^T fills the factors in less (about 40 % on a 60k px hole)
        system = (ys, xs, scipy.sparse.linalg.splu(matrix, permc_spec="MMD_AT_PLUS_A"), borders)
        _cached_system = (key, system)
    return system


def membrane_solve(values: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The harmonic interpolation of ``values`` into ``hole``.

    Every hole pixel p solves ``n(p) * u(p) - sum of u over p's in-image 4-neighbours = 0``, n(p) their count (no
    flow across the image's border), known neighbours entering with their values. Every part of a hole that is not
    the whole image touches a known pixel, so the system has one solution.

    Args:
        values: float (H, W) or (H, W, C), any range (values under ``hole`` are ignored).
        hole: bool (H, W), True = to fill; not every pixel (ValueError).

    Returns:
        float64, the shape of ``values``: known pixels unchanged, hole pixels the solution.
    """
    hole = np.asarray(hole, bool)
    out = np.array(values, np.float64)
    if not hole.any():
        return out
    if hole.all():
        raise ValueError("membrane_solve: the hole is the whole image, nothing to interpolate from")
    flat = out.reshape(*hole.shape, -1)
    ys, xs, solver, borders = _system(hole)
    rhs = np.zeros((len(ys), flat.shape[2]))
    for dy, dx, at in borders:  # each index once per step
        rhs[at] += flat[ys[at] + dy, xs[at] + dx]
    flat[ys, xs] = solver.solve(rhs)
    return out


def membrane_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Fill ``hole`` of ``image`` (uint8 (H, W, 3), bool (H, W)) with :func:`membrane_solve`, rounded: uint8 (H, W, 3),
    the other pixels unchanged; a whole-image hole becomes :data:`EMPTY_GREY`."""
    hole = np.asarray(hole, bool)
    if hole.all():
        return np.full_like(image, EMPTY_GREY)
    out = image.copy()
    out[hole] = np.clip(np.rint(membrane_solve(image, hole)[hole]), 0, 255).astype(np.uint8)
    return out


def thin_plate_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Fill ``hole`` of ``image`` (uint8 (H, W, 3), bool (H, W)) with the biharmonic interpolation of its edge
    (``skimage.restoration.inpaint_biharmonic``, each connected part on its own), rounded and clipped: uint8
    (H, W, 3), the other pixels unchanged; a whole-image hole becomes :data:`EMPTY_GREY`."""
    from skimage.restoration import inpaint_biharmonic

    hole = np.asarray(hole, bool)
    if hole.all():
        return np.full_like(image, EMPTY_GREY)
    out = image.copy()
    if not hole.any():
        return out
    solved = inpaint_biharmonic(image.astype(np.float64) / 255.0, hole, channel_axis=-1, split_into_regions=True)
    out[hole] = np.clip(np.rint(solved[hole] * 255.0), 0, 255).astype(np.uint8)
    return out


def check_smooths(names: tuple[str, ...], caller: str) -> None:
    """ValueError, named after ``caller``, unless ``names`` are one or more of :data:`SMOOTHS`."""
    unknown = sorted(set(names) - set(SMOOTHS))
    if unknown or not names:
        raise ValueError(f"{caller}: unknown smooth fill(s) {', '.join(unknown) or '(none)'}; choose from "
                         f"{', '.join(SMOOTHS)}")


def smooth_fills(image: np.ndarray, hole: np.ndarray, names: tuple[str, ...] = SMOOTHS) -> dict:
    """The smooth fills of :data:`SMOOTHS` named in ``names`` (ValueError for another name).

    Args:
        image: uint8 (H, W, 3); hole: bool (H, W), the pixels to fill.

    Returns:
        dict name -> uint8 (H, W, 3), in the order of ``names``; "membrane+thin plate" is the rounded mean of the two.
    """
    check_smooths(names, "smooth_fills")
    membrane = membrane_fill(image, hole) if set(names) & {SMOOTHS[0], SMOOTHS[2]} else None
    thin_plate = thin_plate_fill(image, hole) if set(names) & {SMOOTHS[1], SMOOTHS[2]} else None
    fills = {SMOOTHS[0]: membrane, SMOOTHS[1]: thin_plate}
    if SMOOTHS[2] in names:
        mean = (membrane.astype(np.float32) + thin_plate.astype(np.float32)) / 2
        fills[SMOOTHS[2]] = np.clip(np.rint(mean), 0, 255).astype(np.uint8)
    return {name: fills[name] for name in names}


__all__ = [
    "EMPTY_GREY", "SMOOTHS", "check_smooths", "membrane_fill", "membrane_solve", "smooth_fills", "thin_plate_fill",
]
