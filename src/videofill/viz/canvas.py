"""The drawing basics every figure uses: colours and font, the image check, labels, panels side by side, saving.

Images are uint8 RGB numpy arrays (H, W, 3); drawing uses OpenCV only. Only :func:`save_image` is public (exported by
:mod:`videofill.viz`); the rest serves the other modules of the package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from videofill.errors import VideofillError

YELLOW = (255, 255, 0)
RED = (255, 0, 0)
BACKGROUND = (32, 32, 32)  # dark grey behind labels and between panels
TEXT = (255, 255, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX
GAP = 4  # px between panels


def as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) or (H, W) image, got {image.shape}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    return np.ascontiguousarray(image)


def text_size(text: str, scale: float) -> tuple[int, int]:
    (width, height), baseline = cv2.getTextSize(text, FONT, scale, 1)
    return width, height + baseline


def label_above(image: np.ndarray, label: str, scale: float = 0.4) -> np.ndarray:
    """``image`` under a dark strip holding ``label``; the panel widens (centred image) if the text is wider."""
    image = as_rgb(image)
    text_w, text_h = text_size(label, scale)
    strip = text_h + 6
    width = max(image.shape[1], text_w + 6)
    panel = np.full((strip + image.shape[0], width, 3), BACKGROUND, np.uint8)
    left = (width - image.shape[1]) // 2
    panel[strip:, left : left + image.shape[1]] = image
    cv2.putText(panel, label, (3, strip - 5), FONT, scale, TEXT, 1, cv2.LINE_AA)
    return panel


def label_inside(frame: np.ndarray, label: str, scale: float = 0.4) -> np.ndarray:
    """``label`` written in the top-left corner of a copy of ``frame`` on a dark box (size unchanged)."""
    frame = np.ascontiguousarray(frame).copy()
    text_w, text_h = text_size(label, scale)
    cv2.rectangle(frame, (0, 0), (min(text_w + 4, frame.shape[1] - 1), text_h + 4), BACKGROUND, -1)
    cv2.putText(frame, label, (2, text_h), FONT, scale, TEXT, 1, cv2.LINE_AA)
    return frame


def hconcat(images: Sequence[np.ndarray], gap: int = GAP) -> np.ndarray:
    """Images side by side, top-aligned, padded to one height with the background colour."""
    height = max(image.shape[0] for image in images)
    parts = []
    for k, image in enumerate(images):
        if k:
            parts.append(np.full((height, gap, 3), BACKGROUND, np.uint8))
        pad = np.full((height - image.shape[0], image.shape[1], 3), BACKGROUND, np.uint8)
        parts.append(np.concatenate([image, pad], axis=0))
    return np.concatenate(parts, axis=1)


def vconcat(images: Sequence[np.ndarray], gap: int = GAP) -> np.ndarray:
    """Images stacked, left-aligned, padded to one width with the background colour (:func:`hconcat` transposed)."""
    return hconcat([image.transpose(1, 0, 2) for image in images], gap).transpose(1, 0, 2).copy()


def save_image(path: str | os.PathLike, image: np.ndarray) -> Path:
    """Write a uint8 RGB (H, W, 3) or grey (H, W) image; the format follows the extension (.png recommended).

    Creates the parent folder if needed.

    Returns:
        the path written.

    Raises:
        VideofillError: the file cannot be written (unknown extension, no permission).
    """
    path = Path(path)
    image = as_rgb(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    except cv2.error as err:
        raise VideofillError(f"cannot write image {path}: {err.msg if hasattr(err, 'msg') else err}") from None
    if not written:
        raise VideofillError(f"cannot write image {path}")
    return path
