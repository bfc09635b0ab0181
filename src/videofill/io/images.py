"""Single images and folders of frames: which files count, natural sort order, reading to uint8 RGB, PNG writing.

Grey and RGBA images become RGB (alpha is dropped), 16-bit images are scaled to 8 bits (``round(v / 257)``). A folder
of frames is its images (png, jpg, jpeg, bmp, tif, tiff) sorted by name with numbers compared as numbers, hidden
files ignored.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import cv2
import numpy as np

from videofill.errors import VideofillError

#: File name endings read as videos.
VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".ts")



#: File name endings read as images (frames in a folder, masks).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")



def is_video_file(path: str | os.PathLike) -> bool:
    """True when ``path`` ends in a video file ending (:data:`VIDEO_EXTENSIONS`, any case). Looks at the name only."""
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS



def is_image_file(path: str | os.PathLike) -> bool:
    """True when ``path`` ends in an image ending (:data:`IMAGE_EXTENSIONS`, any case). Looks at the name only."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS



def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]



def list_images(folder: str | os.PathLike) -> list[Path]:
    """The image files of a folder, sorted by name (``frame2`` before ``frame10``); hidden files are skipped.

    Raises:
        VideofillError: the folder does not exist or holds no image.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VideofillError(f"{folder} is not a folder")
    files = [p for p in folder.iterdir() if not p.name.startswith(".") and is_image_file(p) and p.is_file()]
    if not files:
        raise VideofillError(f"no images ({', '.join(e[1:] for e in IMAGE_EXTENSIONS)}) in folder {folder}")
    return sorted(files, key=lambda p: _natural_key(p.name))



def read_image(path: str | os.PathLike) -> np.ndarray:
    """Decode one image file as it is stored: ``(H, W)`` grey or ``(H, W, C)`` with channels in RGB(A) order.

    The dtype is the file's (uint8, uint16; float32 for some TIFFs). Use :func:`to_uint8` and :func:`to_rgb8`
    to normalise it.

    Raises:
        VideofillError: the file is missing, unreadable, not an image, or of a pixel type videofill does not read
            (signed integers, more than 4 channels).
    """
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)  # not cv2.imread: works with any file name on any OS
    except OSError as err:
        raise VideofillError(f"cannot read {path}: {err.strerror or err}") from None
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise VideofillError(f"cannot read {path}: not an image, or the file is corrupt")
    if image.dtype not in (np.uint8, np.uint16, np.float32, np.float64):
        raise VideofillError(f"cannot read {path}: {image.dtype} pixels (videofill reads 8- or 16-bit unsigned or float images)")
    if image.ndim == 3 and image.shape[2] > 4:
        raise VideofillError(f"cannot read {path}: {image.shape[2]} channels (videofill reads grey, RGB or RGBA images)")
    if image.ndim == 3 and image.shape[2] == 3:
        image = image[..., ::-1]  # BGR -> RGB
    elif image.ndim == 3 and image.shape[2] == 4:
        image = image[..., [2, 1, 0, 3]]  # BGRA -> RGBA
    return np.ascontiguousarray(image)



def to_uint8(image: np.ndarray) -> np.ndarray:
    """Scale an image to uint8, keeping its channels: uint16 ``v -> round(v / 257)``, float in [0, 1] ``* 255``.

    Raises:
        ValueError: a dtype other than bool, uint8, uint16 or float.
    """
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)  # == round(v / 257), exact for v = 257 k
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.floating):
        return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    raise ValueError(f"expected a uint8, uint16 or float image, got {image.dtype}")



def to_rgb8(image: np.ndarray) -> np.ndarray:
    """Any decoded image (:func:`read_image`) as uint8 ``(H, W, 3)`` RGB: grey repeated, alpha dropped, 16 bit scaled.

    Raises:
        ValueError: not a 2-D image with 1 to 4 channels, or an unsupported dtype.
    """
    image = to_uint8(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or not 1 <= image.shape[2] <= 4:
        raise ValueError(f"expected an (H, W) or (H, W, 1..4) image, got shape {image.shape}")
    if image.shape[2] in (1, 2):  # grey, grey + alpha
        image = np.repeat(image[..., :1], 3, axis=2)
    return np.ascontiguousarray(image[..., :3])



def size_text(image: np.ndarray) -> str:
    return f"{image.shape[1]}x{image.shape[0]}"



def write_png(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write a uint8 (H, W, 3) RGB or (H, W) grey image as PNG (lossless).

    Raises:
        VideofillError: the file cannot be written.
    """
    path = Path(path)
    bgr = image[..., ::-1] if image.ndim == 3 else image
    ok, data = cv2.imencode(".png", np.ascontiguousarray(bgr))
    if not ok:
        raise VideofillError(f"cannot encode {path} as PNG")
    try:
        data.tofile(path)
    except OSError as err:
        raise VideofillError(f"cannot write {path}: {err.strerror or err}") from None

