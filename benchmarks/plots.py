"""Line and bar charts for the benchmark reports, drawn with OpenCV and NumPy (matplotlib is not a dependency).

Images are uint8 (H, W, 3) RGB; save them with :func:`videofill.viz.save_image`.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_SIMPLEX
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75), (0, 0, 0)]
BLACK, GREY = (0, 0, 0), (215, 215, 215)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=10 * magnitude)
    first = math.ceil(low / step - 1e-9) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def _text(canvas: np.ndarray, text: str, origin: tuple[int, int], scale: float = 0.4) -> None:
    cv2.putText(canvas, text, (int(origin[0]), int(origin[1])), FONT, scale, BLACK, 1, cv2.LINE_AA)


def line_plot(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    title: str,
    x_label: str,
    y_label: str,
    size: tuple[int, int] = (560, 360),
    x_log: bool = False,
    lines: bool = True,
    x_ticks: Sequence[float] | None = None,
) -> np.ndarray:
    """One chart: each series (name -> (xs, ys)) as markers joined by lines (``lines=False``: markers only).

    Non-finite values are left out. ``x_log`` puts x on a log10 axis (x > 0 only); ``x_ticks`` overrides the x ticks.
    Returns a uint8 (H, W, 3) RGB image with axes, ticks, a title and a legend on the right.
    """
    width, height = size
    left, right, top, bottom = 58, 150, 30, 46
    data = {}
    for name, (xs, ys) in series.items():
        xs, ys = np.asarray(xs, np.float64), np.asarray(ys, np.float64)
        keep = np.isfinite(xs) & np.isfinite(ys) & ((xs > 0) if x_log else True)
        data[name] = (np.log10(xs[keep]) if x_log else xs[keep], ys[keep])
    all_x = np.concatenate([x for x, _ in data.values()] or [np.zeros(1)])
    all_y = np.concatenate([y for _, y in data.values()] or [np.zeros(1)])
    if all_x.size == 0:
        all_x, all_y = np.zeros(1), np.zeros(1)
    x_lo, x_hi = float(all_x.min()), float(all_x.max())
    y_lo, y_hi = float(all_y.min()), float(all_y.max())
    x_pad = (x_hi - x_lo) * 0.05 or 0.5
    y_pad = (y_hi - y_lo) * 0.08 or 0.5
    x_lo, x_hi, y_lo, y_hi = x_lo - x_pad, x_hi + x_pad, y_lo - y_pad, y_hi + y_pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u = left + (x - x_lo) / (x_hi - x_lo) * plot_w
        v = top + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h
        return np.stack([u, v], axis=-1).round().astype(np.int32)

    canvas = np.full((height, width, 3), 255, np.uint8)
    for tick in _ticks(y_lo, y_hi):
        v = int(px(np.array(x_lo), np.array(tick))[1])
        cv2.line(canvas, (left, v), (left + plot_w, v), GREY, 1)
        _text(canvas, f"{tick:g}", (4, v + 4), 0.36)
    x_values = [math.log10(t) for t in x_ticks] if (x_ticks is not None and x_log) else x_ticks
    labels = list(x_ticks) if x_ticks is not None else None
    if x_values is None:
        x_values = _ticks(x_lo, x_hi)
        labels = [10**t if x_log else t for t in x_values]
    for value, label in zip(x_values, labels):
        if not x_lo <= value <= x_hi:
            continue
        u = int(px(np.array(value), np.array(y_lo))[0])
        cv2.line(canvas, (u, top + plot_h), (u, top + plot_h + 4), BLACK, 1)
        text = f"{label:.3g}"
        _text(canvas, text, (u - 4 * len(text), top + plot_h + 16), 0.36)
    cv2.rectangle(canvas, (left, top), (left + plot_w, top + plot_h), BLACK, 1)
    _text(canvas, x_label, (left + plot_w // 2 - 4 * len(x_label), height - 8), 0.42)
    _text(canvas, y_label, (4, top - 10), 0.42)
    _text(canvas, title, (left, 18), 0.48)
    for k, (name, (xs, ys)) in enumerate(data.items()):
        color = PALETTE[k % len(PALETTE)]
        points = px(xs, ys)
        if lines and len(points) > 1:
            order = np.argsort(xs, kind="stable")
            cv2.polylines(canvas, [points[order]], False, color, 2, cv2.LINE_AA)
        for point in points:
            cv2.circle(canvas, tuple(int(c) for c in point), 3, color, -1, cv2.LINE_AA)
        legend_y = top + 14 + 18 * k
        cv2.line(canvas, (left + plot_w + 10, legend_y - 4), (left + plot_w + 30, legend_y - 4), color, 2)
        _text(canvas, name, (left + plot_w + 36, legend_y), 0.38)
    return canvas


def bar_chart(
    groups: Mapping[str, Mapping[str, float]], title: str, y_label: str, size: tuple[int, int] = (560, 340)
) -> np.ndarray:
    """Grouped bars: group name -> {bar name -> value}; bars of the same name share a colour. Returns RGB uint8."""
    width, height = size
    left, right, top, bottom = 58, 150, 42, 40
    names = list(dict.fromkeys(b for bars in groups.values() for b in bars))
    values = [v for bars in groups.values() for v in bars.values() if np.isfinite(v)]
    y_lo, y_hi = min(0.0, min(values, default=0.0)), max(values, default=1.0)
    y_hi += (y_hi - y_lo) * 0.08 or 0.5
    plot_w, plot_h = width - left - right, height - top - bottom
    canvas = np.full((height, width, 3), 255, np.uint8)

    def v_px(y: float) -> int:
        return int(round(top + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h))

    for tick in _ticks(y_lo, y_hi):
        cv2.line(canvas, (left, v_px(tick)), (left + plot_w, v_px(tick)), GREY, 1)
        _text(canvas, f"{tick:g}", (4, v_px(tick) + 4), 0.36)
    group_w = plot_w / max(len(groups), 1)
    bar_w = group_w * 0.8 / max(len(names), 1)
    for g, (group, bars) in enumerate(groups.items()):
        x0 = left + g * group_w + group_w * 0.1
        for b, name in enumerate(names):
            if name in bars and np.isfinite(bars[name]):
                u0, u1 = int(x0 + b * bar_w), int(x0 + (b + 1) * bar_w) - 2
                cv2.rectangle(canvas, (u0, v_px(bars[name])), (u1, v_px(0.0)), PALETTE[b % len(PALETTE)], -1)
        _text(canvas, group, (int(x0), top + plot_h + 16), 0.36)
    cv2.line(canvas, (left, v_px(0.0)), (left + plot_w, v_px(0.0)), BLACK, 1)
    cv2.rectangle(canvas, (left, top), (left + plot_w, top + plot_h), BLACK, 1)
    _text(canvas, y_label, (4, top - 8), 0.42)
    _text(canvas, title, (left, 16), 0.48)
    for b, name in enumerate(names):
        legend_y = top + 14 + 18 * b
        cv2.rectangle(
            canvas,
            (left + plot_w + 10, legend_y - 9),
            (left + plot_w + 24, legend_y + 1),
            PALETTE[b % len(PALETTE)],
            -1,
        )
        _text(canvas, name, (left + plot_w + 32, legend_y), 0.38)
    return canvas


def stack(images: Sequence[np.ndarray], columns: int = 2) -> np.ndarray:
    """Images (uint8 RGB, any sizes) padded with white to one cell size and laid out in a grid of ``columns``."""
    height = max(i.shape[0] for i in images)
    width = max(i.shape[1] for i in images)
    cells = [
        np.pad(i, ((0, height - i.shape[0]), (0, width - i.shape[1]), (0, 0)), constant_values=255) for i in images
    ]
    while len(cells) % columns:
        cells.append(np.full_like(cells[0], 255))
    rows = [np.concatenate(cells[r : r + columns], axis=1) for r in range(0, len(cells), columns)]
    return np.concatenate(rows, axis=0)
