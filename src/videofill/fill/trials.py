"""Trial holes: copies of a hole moved onto known pixels, where the truth is known, to compare fills on.

Not part of the paper. A fill's error inside a hole cannot be measured (nothing is known there); on a copy of the
hole's shape moved beside it, over known pixels, it can: hide the copy as well as the hole, fill both, and compare
the copy's fill with the pixels it hid. :mod:`videofill.fill.synthesis` chooses its filler so, and
:func:`choose_smooth` propagation's spatial fill.

Conventions: images uint8 (H, W, 3) RGB or (T, H, W, 3); masks bool, True = hole.
"""

from __future__ import annotations

import cv2
import numpy as np

from videofill.fill.membrane import SMOOTHS, check_smooths, smooth_fills
from videofill.fill.patches import PATCH

#: Copies of a hole, moved beside it onto known pixels, on which fills are compared (:func:`trial_copies`).
TRIAL_SHIFTS = 2
#: Frames, evenly spread through the clip, whose trial copies :func:`choose_smooth` measures.
SMOOTH_SAMPLES = 3


def trial_copies(hole: np.ndarray, usable: np.ndarray, patch: int = PATCH, count: int = TRIAL_SHIFTS) -> list:
    """Up to ``count`` copies of ``hole`` moved beside it (left, right, above, below, a patch apart), each kept only
    when it and a patch around it lie on ``usable`` pixels.

    Args:
        hole: bool (H, W); usable: bool (H, W), pixels a copy may cover (known, not already taken by another copy).

    Returns:
        list of bool (H, W) masks.
    """
    ys, xs = np.nonzero(hole)
    if len(ys) == 0:
        return []
    height, width = hole.shape
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    found = []
    for dy, dx in ((0, -w - patch), (0, w + patch), (-h - patch, 0), (h + patch, 0)):
        if len(found) == count:
            break
        ty, tx = ys + dy, xs + dx
        if ty.min() < 0 or tx.min() < 0 or ty.max() >= height or tx.max() >= width:
            continue
        copy = np.zeros_like(hole)
        copy[ty, tx] = True
        grown = cv2.dilate(copy.astype(np.uint8), np.ones((patch, patch), np.uint8)) > 0
        if usable[grown].all():
            found.append(copy)
    return found


def part_copies(hole: np.ndarray, patch: int = PATCH, count: int = TRIAL_SHIFTS) -> tuple[list, list]:
    """Each connected part (8-connected) of ``hole`` (bool (H, W)) and its :func:`trial_copies`, no copy within a
    patch of the hole or of another part's copy.

    Returns:
        (parts, copies): bool (H, W) masks, and for each part the list of its copies' masks (maybe empty).
    """
    label_count, labels = cv2.connectedComponents(hole.astype(np.uint8), connectivity=8)
    parts = [labels == label for label in range(1, label_count)]
    square = np.ones((patch, patch), np.uint8)
    usable = ~(cv2.dilate(hole.astype(np.uint8), square) > 0)
    copies = []
    for part in parts:
        found = trial_copies(part, usable, patch, count)
        for copy in found:  # copies of two parts must not overlap
            usable &= ~(cv2.dilate(copy.astype(np.uint8), square) > 0)
        copies.append(found)
    return parts, copies


def choose_smooth(frames: np.ndarray, holes: np.ndarray, names: tuple[str, ...] = SMOOTHS,
                  samples: int = SMOOTH_SAMPLES) -> str:
    """The smooth fill of ``names`` (:data:`videofill.fill.membrane.SMOOTHS`) with the lowest squared error on the
    trial copies of the holes of ``samples`` frames spread through the clip (the errors pooled): the membrane where
    the hole's surroundings are fine texture (a thin plate's continued slopes overshoot there), the thin plate or the
    mean of the two where shading and edges run on.

    Args:
        frames: uint8 (T, H, W, 3); only their known pixels are read.
        holes: bool (T, H, W), True = hole.
        names: the smooth fills that compete (ValueError for another name).
        samples: frames measured, 1 or more: the middles of that many equal spans of the frames that have a hole
            and are not all hole (fewer when there are fewer such frames).

    Returns:
        The name; ``names[0]`` when no sampled frame has room for a copy.
    """
    check_smooths(names, "choose_smooth")
    if len(names) == 1:
        return names[0]
    usable = [t for t in range(len(holes)) if holes[t].any() and not holes[t].all()]
    picked = sorted({usable[(2 * i + 1) * len(usable) // (2 * samples)] for i in range(samples)}) if usable else []
    errors = dict.fromkeys(names, 0.0)
    for t in picked:
        _, copies = part_copies(holes[t])
        tested = np.zeros_like(holes[t])
        for copy in (copy for found in copies for copy in found):
            tested |= copy
        if not tested.any():
            continue
        truth = frames[t][tested].astype(np.float64)
        for name, fill in smooth_fills(frames[t], holes[t] | tested, names).items():
            errors[name] += float(np.square(fill[tested] - truth).sum())
    return min(names, key=errors.get)  # ties (nothing measured): the first


__all__ = ["SMOOTH_SAMPLES", "TRIAL_SHIFTS", "choose_smooth", "part_copies", "trial_copies"]
