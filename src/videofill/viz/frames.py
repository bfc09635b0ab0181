"""Images of one frame at a time: the flow colour map (Fig. 8) and the hole outline (the red curve of Fig. 8)."""

from __future__ import annotations

import cv2
import numpy as np

from videofill.viz.canvas import RED


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
