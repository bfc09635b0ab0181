"""Comparisons: labelled videos side by side, and one frame from several methods in a row or a grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from videofill.viz.canvas import hconcat, label_above, label_inside, vconcat


def side_by_side(panels: Sequence[np.ndarray], labels: Sequence[str]) -> np.ndarray:
    """Several videos of one length and height next to each other, each labelled in its top-left corner.

    Typical use: ``side_by_side([outline_holes(input, holes), result, ground_truth], ["input", "result", "GT"])``.
    No gap is added, so the output width is the sum of the widths (even widths stay even for H.264).

    Args:
        panels: k uint8 (T, H, W_i, 3) RGB videos with the same T and H.
        labels: k names.

    Returns:
        uint8 (T, H, sum W_i, 3).

    Raises:
        ValueError: no panels, labels of another length, or panels of different T or H.
    """
    if not panels or len(panels) != len(labels):
        raise ValueError(f"side_by_side: need one label per panel, got {len(panels)} panels and {len(labels)} labels")
    if any(p.ndim != 4 or p.shape[3] != 3 or p.shape[:2] != panels[0].shape[:2] or p.dtype != np.uint8 for p in panels):
        shapes = [p.shape for p in panels]
        raise ValueError(f"side_by_side: panels must be uint8 (T, H, W, 3) with one T and H, got {shapes}")
    labelled = [np.stack([label_inside(frame, label) for frame in panel]) for panel, label in zip(panels, labels)]
    return np.concatenate(labelled, axis=2)


def comparison_figure(frames_by_name: Mapping[str, np.ndarray], columns: int | None = None) -> np.ndarray:
    """The same frame from several methods in a row (or a grid), each labelled above (for the ablation report).

    Args:
        frames_by_name: name -> uint8 (H, W, 3) RGB image (sizes may differ; panels are top-aligned).
        columns: panels per row; None: all in one row.

    Returns:
        uint8 RGB figure.

    Raises:
        ValueError: no images, or an image that is not uint8 (H, W, 3).
    """
    if not frames_by_name:
        raise ValueError("comparison_figure: no images given")
    panels = [label_above(image, name) for name, image in frames_by_name.items()]
    columns = columns or len(panels)
    rows = [hconcat(panels[k : k + columns]) for k in range(0, len(panels), columns)]
    return vconcat(rows)
