"""Visualisations: flow colour maps (Fig. 8), temporal slices (Fig. 5), hole outlines, comparisons, loss curves.

Everything takes and returns uint8 RGB numpy images ((H, W, 3) or (T, H, W, 3) frames); drawing uses OpenCV only
(no matplotlib needed). :func:`save_image` writes any of them to a PNG.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Mapping, Sequence

import cv2
import numpy as np

from videofill.errors import VideofillError

YELLOW = (255, 255, 0)
RED = (255, 0, 0)
_BACKGROUND = (32, 32, 32)  # dark grey behind labels and between panels
_TEXT = (255, 255, 255)
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_GAP = 4  # px between panels
# Distinct RGB colours for loss curves (Tableau 10).
_PALETTE = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip


# ----------------------------------------------------------------------------------------------------------------
# Flow


def flow_to_color(flow: np.ndarray, max_magnitude: float | None = None) -> np.ndarray:
    """Colour-code a flow field as in the paper's Fig. 8: hue = direction, value = magnitude, saturation 1.

    Hue follows the angle of (x, y) in image coordinates (y down): red = rightward, yellow-green = downward
    (90 deg), cyan = leftward (180 deg), blue-violet = upward (270 deg). Value is the magnitude divided by
    ``max_magnitude`` (clipped to 1), so zero flow is black.

    Args:
        flow: float (H, W, 2) in px, x then y.
        max_magnitude: magnitude (px) shown at full brightness; None: the largest magnitude of this flow. Pass the
            same value to compare several flows.

    Returns:
        uint8 (H, W, 3) RGB.

    Raises:
        ValueError: ``flow`` is not (H, W, 2).
    """
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f"flow_to_color: expected an (H, W, 2) flow, got {flow.shape}")
    flow = np.nan_to_num(flow.astype(np.float32))
    magnitude, angle = cv2.cartToPolar(flow[..., 0], flow[..., 1], angleInDegrees=True)
    top = float(magnitude.max()) if max_magnitude is None else float(max_magnitude)
    value = np.clip(magnitude / top, 0.0, 1.0) if top > 0 else np.zeros_like(magnitude)
    hsv = np.empty(flow.shape[:2] + (3,), np.uint8)
    hsv[..., 0] = np.round(angle / 2.0).astype(np.int32) % 180  # OpenCV 8-bit hue is degrees / 2
    hsv[..., 1] = 255
    hsv[..., 2] = np.round(value * 255.0).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


# ----------------------------------------------------------------------------------------------------------------
# Panels and labels


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) or (H, W) image, got {image.shape}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    return np.ascontiguousarray(image)


def _text_size(text: str, scale: float) -> tuple[int, int]:
    (width, height), baseline = cv2.getTextSize(text, _FONT, scale, 1)
    return width, height + baseline


def _label_above(image: np.ndarray, label: str, scale: float = 0.4) -> np.ndarray:
    """``image`` under a dark strip holding ``label``; the panel widens (centred image) if the text is wider."""
    image = _as_rgb(image)
    text_w, text_h = _text_size(label, scale)
    strip = text_h + 6
    width = max(image.shape[1], text_w + 6)
    panel = np.full((strip + image.shape[0], width, 3), _BACKGROUND, np.uint8)
    left = (width - image.shape[1]) // 2
    panel[strip:, left : left + image.shape[1]] = image
    cv2.putText(panel, label, (3, strip - 5), _FONT, scale, _TEXT, 1, cv2.LINE_AA)
    return panel


def _hconcat(images: Sequence[np.ndarray], gap: int = _GAP) -> np.ndarray:
    """Images side by side, top-aligned, padded to one height with the background colour."""
    height = max(image.shape[0] for image in images)
    parts = []
    for k, image in enumerate(images):
        if k:
            parts.append(np.full((height, gap, 3), _BACKGROUND, np.uint8))
        pad = np.full((height - image.shape[0], image.shape[1], 3), _BACKGROUND, np.uint8)
        parts.append(np.concatenate([image, pad], axis=0))
    return np.concatenate(parts, axis=1)


def _vconcat(images: Sequence[np.ndarray], gap: int = _GAP) -> np.ndarray:
    """Images stacked, left-aligned, padded to one width with the background colour (:func:`_hconcat` transposed)."""
    return _hconcat([image.transpose(1, 0, 2) for image in images], gap).transpose(1, 0, 2).copy()


def outline_holes(
    frames: np.ndarray, holes: np.ndarray, color: tuple[int, int, int] = RED, thickness: int = 1
) -> np.ndarray:
    """Draw the boundary of the holes on a copy of the frames (the red curve of the paper's Fig. 8).

    Every contour of every hole component, inner boundaries included (``cv2.findContours`` with ``RETR_LIST``), is
    drawn with ``cv2.drawContours``; the line lies on the boundary pixels of the hole.

    Args:
        frames: uint8 (T, H, W, 3) or one frame (H, W, 3), RGB.
        holes: bool (T, H, W) or (H, W) matching ``frames``, True = hole.
        color: RGB colour of the outline.
        thickness: line width in px.

    Returns:
        uint8 array of the shape of ``frames``.

    Raises:
        ValueError: shapes do not match.
    """
    single = frames.ndim == 3
    video = frames[None] if single else frames
    masks = holes[None] if single else holes
    if video.ndim != 4 or video.shape[3] != 3 or masks.shape != video.shape[:3] or video.dtype != np.uint8:
        raise ValueError(
            f"outline_holes: expected uint8 frames (T, H, W, 3) and holes (T, H, W), "
            f"got {frames.shape} and {holes.shape}"
        )
    out = video.copy()
    for t in range(video.shape[0]):
        contours, _ = cv2.findContours(masks[t].astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
        if contours:
            canvas = np.ascontiguousarray(out[t])
            cv2.drawContours(canvas, contours, -1, tuple(int(c) for c in color), thickness)
            out[t] = canvas
    return out[0] if single else out


# ----------------------------------------------------------------------------------------------------------------
# Temporal slices (Fig. 5)


def temporal_slice(frames: np.ndarray, row: int) -> np.ndarray:
    """Row ``row`` of every frame, stacked: time runs downward (the paper's Fig. 5).

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        row: image row, 0 <= row < H.

    Returns:
        uint8 (T, W, 3).

    Raises:
        VideofillError: ``row`` is outside the frame.
        ValueError: ``frames`` is not (T, H, W, 3).
    """
    if frames.ndim != 4 or frames.shape[3] != 3:
        raise ValueError(f"temporal_slice: expected frames (T, H, W, 3), got {frames.shape}")
    if not 0 <= row < frames.shape[1]:
        raise VideofillError(f"row {row} is outside frames of height {frames.shape[1]}")
    return np.ascontiguousarray(frames[:, row])


def temporal_slice_figure(
    named_videos: Mapping[str, np.ndarray],
    row: int,
    holes: np.ndarray | None = None,
    time_scale: int | None = None,
) -> np.ndarray:
    """The paper's Fig. 5 for several results of one video: a sample frame, then one temporal slice per result.

    The first panel is the middle frame of the first video with ``row`` drawn as a yellow line (and the hole outlined
    in red when ``holes`` is given). Each following panel is :func:`temporal_slice` of one video at ``row``, labelled
    with its name, time running downward; where ``holes`` is given, the hole's extent along the row is outlined in
    red on each slice. A smooth slice means a temporally consistent result.

    Args:
        named_videos: name -> uint8 (T, H, W, 3) RGB, all of one shape (e.g. {"input": ..., "ours": ..., "GT": ...}).
        row: the image row to slice.
        holes: optional bool (T, H, W).
        time_scale: each frame's slice row is repeated this many times (nearest-neighbour), so short videos stay
            visible; None: enough repeats for the slices to be at least as tall as a frame.

    Returns:
        uint8 (h, w, 3) RGB figure.

    Raises:
        VideofillError: ``row`` is outside the frames.
        ValueError: no videos, or videos / holes of different shapes.
    """
    if not named_videos:
        raise ValueError("temporal_slice_figure: no videos given")
    videos = list(named_videos.values())
    shape = videos[0].shape
    if any(video.shape != shape for video in videos) or len(shape) != 4:
        shapes = [v.shape for v in videos]
        raise ValueError(f"temporal_slice_figure: videos must share one (T, H, W, 3) shape, got {shapes}")
    if holes is not None and holes.shape != shape[:3]:
        raise ValueError(f"temporal_slice_figure: holes of shape {holes.shape} do not match videos of shape {shape}")
    count, height = shape[0], shape[1]
    repeat = time_scale or max(1, math.ceil(height / count))
    middle = count // 2
    sample = videos[0][middle]
    if holes is not None:
        sample = outline_holes(sample, holes[middle])
    sample = np.ascontiguousarray(sample).copy()
    cv2.line(sample, (0, row), (shape[2] - 1, row), YELLOW, 1)
    panels = [_label_above(sample, f"frame {middle}, row {row}")]
    for name, video in named_videos.items():
        strip = np.repeat(temporal_slice(video, row), repeat, axis=0)  # (T, W, 3) -> (T * repeat, W, 3)
        if holes is not None:
            strip = outline_holes(strip, np.repeat(holes[:, row], repeat, axis=0))
        panels.append(_label_above(strip, name))
    return _hconcat(panels)


# ----------------------------------------------------------------------------------------------------------------
# Side-by-side videos and comparison figures


def _label_inside(frame: np.ndarray, label: str, scale: float = 0.4) -> np.ndarray:
    """``label`` written in the top-left corner of a copy of ``frame`` on a dark box (size unchanged)."""
    frame = np.ascontiguousarray(frame).copy()
    text_w, text_h = _text_size(label, scale)
    cv2.rectangle(frame, (0, 0), (min(text_w + 4, frame.shape[1] - 1), text_h + 4), _BACKGROUND, -1)
    cv2.putText(frame, label, (2, text_h), _FONT, scale, _TEXT, 1, cv2.LINE_AA)
    return frame


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
    labelled = [np.stack([_label_inside(frame, label) for frame in panel]) for panel, label in zip(panels, labels)]
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
    panels = [_label_above(image, name) for name, image in frames_by_name.items()]
    columns = columns or len(panels)
    rows = [_hconcat(panels[k : k + columns]) for k in range(0, len(panels), columns)]
    return _vconcat(rows)


# ----------------------------------------------------------------------------------------------------------------
# Loss curves


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
        cv2.putText(canvas, f"1e{decade}", (left - 42, y + 4), _FONT, 0.38, black, 1, cv2.LINE_AA)
    for tick in _nice_steps(x_max):  # x ticks
        x = int(round(left + tick / x_max * plot_w))
        cv2.line(canvas, (x, top + plot_h), (x, top + plot_h + 4), black, 1)
        text = f"{tick:g}"
        origin = (x - _text_size(text, 0.38)[0] // 2, top + plot_h + 16)
        cv2.putText(canvas, text, origin, _FONT, 0.38, black, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (left, top), (left + plot_w, top + plot_h), black, 1)
    cv2.putText(canvas, "step", (left + plot_w // 2 - 12, height - 8), _FONT, 0.45, black, 1, cv2.LINE_AA)
    cv2.putText(canvas, "loss (log)", (4, top - 10), _FONT, 0.42, black, 1, cv2.LINE_AA)
    origin = (left + plot_w // 2 - _text_size(title, 0.5)[0] // 2, 20)
    cv2.putText(canvas, title, origin, _FONT, 0.5, black, 1, cv2.LINE_AA)
    for k, (name, (xs, ys)) in enumerate(curves.items()):
        color = _PALETTE[k % len(_PALETTE)]
        if ys.size == 1:
            cv2.circle(canvas, tuple(int(v) for v in to_px(xs, ys)[0]), 2, color, -1)
        elif ys.size:
            cv2.polylines(canvas, [to_px(xs, ys)], False, color, 1, cv2.LINE_AA)
        legend_y = top + 14 + 18 * k
        cv2.line(canvas, (left + plot_w + 10, legend_y - 4), (left + plot_w + 30, legend_y - 4), color, 2)
        cv2.putText(canvas, name, (left + plot_w + 36, legend_y), _FONT, 0.4, black, 1, cv2.LINE_AA)
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


# ----------------------------------------------------------------------------------------------------------------
# Files


def save_image(path: str | os.PathLike, image: np.ndarray) -> Path:
    """Write a uint8 RGB (H, W, 3) or grey (H, W) image; the format follows the extension (.png recommended).

    Creates the parent folder if needed.

    Returns:
        the path written.

    Raises:
        VideofillError: the file cannot be written (unknown extension, no permission).
    """
    path = Path(path)
    image = _as_rgb(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    except cv2.error as err:
        raise VideofillError(f"cannot write image {path}: {err.msg if hasattr(err, 'msg') else err}") from None
    if not written:
        raise VideofillError(f"cannot write image {path}")
    return path
