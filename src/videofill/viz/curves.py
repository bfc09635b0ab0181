"""Loss curves against the training step, log-scale y, drawn with OpenCV (no matplotlib)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np

from videofill.viz.canvas import FONT, save_image, text_size

# Distinct RGB colours for loss curves (Tableau 10).
_PALETTE = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip


def _nice_steps(top: float, count: int = 5) -> list[float]:
    """Round tick positions from 0 to about ``top``."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), default=10 * magnitude)
    return [k * step for k in range(int(top // step) + 1)]


def loss_curve_image(
    history: Mapping[str, Sequence[float]],
    steps: Sequence[float] | None = None,
    size: tuple[int, int] = (720, 420),
    title: str = "training losses",
) -> np.ndarray:
    """Loss curves against the step, log-scale y, drawn with OpenCV (no matplotlib).

    Args:
        history: curve name -> values; values that are not positive and finite are left out (log scale).
        steps: the x value of each entry (e.g. the optimiser step at which it was logged); None: 0, 1, 2, ...
            (a curve longer than ``steps`` uses indices for the rest).
        size: (width, height) of the image in px.
        title: text at the top.

    Returns:
        uint8 (height, width, 3) RGB: white canvas, axes, decade grid lines labelled 1e-k, a legend.

    Raises:
        ValueError: no curve has a positive finite value.
    """
    width, height = size
    left, right, top, bottom = 64, 150, 30, 44  # margins: y labels | legend | title | x labels
    curves = {}
    for name, values in history.items():
        values = np.asarray(values, dtype=np.float64)
        xs = np.asarray(steps if steps is not None else [], dtype=np.float64)[: values.size]
        if xs.size < values.size:  # no steps given, or fewer than values: indices for the rest
            xs = np.concatenate([xs, np.arange(xs.size, values.size, dtype=np.float64)])
        keep = np.isfinite(values) & (values > 0)
        curves[name] = (xs[keep], values[keep])
    if not any(ys.size for _, ys in curves.values()):
        raise ValueError("loss_curve_image: no positive finite loss value to plot")
    all_x = np.concatenate([xs for xs, _ in curves.values()])
    all_y = np.concatenate([ys for _, ys in curves.values()])
    x_max = max(float(all_x.max()), 1.0)
    y_lo, y_hi = math.floor(math.log10(all_y.min())), math.ceil(math.log10(all_y.max()))
    if y_hi == y_lo:
        y_hi += 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def to_px(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        px = left + x / x_max * plot_w
        py = top + plot_h - (np.log10(y) - y_lo) / (y_hi - y_lo) * plot_h
        return np.stack([px, py], axis=1).round().astype(np.int32)

    canvas = np.full((height, width, 3), 255, np.uint8)
    grey, black = (210, 210, 210), (0, 0, 0)
    for decade in range(y_lo, y_hi + 1):  # horizontal grid + y labels
        y = int(round(top + plot_h - (decade - y_lo) / (y_hi - y_lo) * plot_h))
        cv2.line(canvas, (left, y), (left + plot_w, y), grey, 1)
        cv2.putText(canvas, f"1e{decade}", (left - 42, y + 4), FONT, 0.38, black, 1, cv2.LINE_AA)
    for tick in _nice_steps(x_max):  # x ticks
        x = int(round(left + tick / x_max * plot_w))
        cv2.line(canvas, (x, top + plot_h), (x, top + plot_h + 4), black, 1)
        text = f"{tick:g}"
        origin = (x - text_size(text, 0.38)[0] // 2, top + plot_h + 16)
        cv2.putText(canvas, text, origin, FONT, 0.38, black, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (left, top), (left + plot_w, top + plot_h), black, 1)
    cv2.putText(canvas, "step", (left + plot_w // 2 - 12, height - 8), FONT, 0.45, black, 1, cv2.LINE_AA)
    cv2.putText(canvas, "loss (log)", (4, top - 10), FONT, 0.42, black, 1, cv2.LINE_AA)
    origin = (left + plot_w // 2 - text_size(title, 0.5)[0] // 2, 20)
    cv2.putText(canvas, title, origin, FONT, 0.5, black, 1, cv2.LINE_AA)
    for k, (name, (xs, ys)) in enumerate(curves.items()):
        color = _PALETTE[k % len(_PALETTE)]
        if ys.size == 1:
            cv2.circle(canvas, tuple(int(v) for v in to_px(xs, ys)[0]), 2, color, -1)
        elif ys.size:
            cv2.polylines(canvas, [to_px(xs, ys)], False, color, 1, cv2.LINE_AA)
        legend_y = top + 14 + 18 * k
        cv2.line(canvas, (left + plot_w + 10, legend_y - 4), (left + plot_w + 30, legend_y - 4), color, 2)
        cv2.putText(canvas, name, (left + plot_w + 36, legend_y), FONT, 0.4, black, 1, cv2.LINE_AA)
    return canvas


def loss_curve_png(
    history: Mapping[str, Sequence[float]],
    path: str | os.PathLike,
    steps: Sequence[float] | None = None,
    title: str = "training losses",
) -> Path:
    """Plot loss curves against the step (log-scale y) to a PNG; see :func:`loss_curve_image`.

    Drawn with OpenCV whether or not matplotlib is installed, so the figure looks the same everywhere.

    Returns:
        the path written.

    Raises:
        ValueError: nothing to plot.
        VideofillError: the file cannot be written.
    """
    return save_image(path, loss_curve_image(history, steps=steps, title=title))
