"""Masks: which pixels of each frame are the hole, the region to fill. The one place the convention is named.

The convention:

- In memory a clip's mask is numpy ``bool (T, H, W)``, **True = hole** (fill it), False = known (keep it). The
  complement is called ``known``.
- In files written by videofill (:func:`write_masks`, the shared test data) a hole pixel is :data:`HOLE_VALUE`
  (255) and a known pixel :data:`KNOWN_VALUE` (0), in single-channel 8-bit PNGs ``00000.png, 00001.png, ...``.
- Reading (:func:`image_to_holes`): **a pixel is hole when it is not zero** -- 255 or 1, grey or colour. 16-bit
  images are scaled to 8 bits first (``round(v / 257)``) and alpha is ignored. Lossy sources (mask videos, JPEG
  masks) carry compression noise, so for them a pixel is hole only when its brightest channel is above
  :data:`LOSSY_TOLERANCE`; that is the only tolerance.
- Masks of another size than the frames: the same aspect ratio is resized (nearest neighbour, one note); another
  aspect ratio is an error (the mask was made for another video).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from videofill.errors import VideofillError
from videofill.io.atomic import move_into_place, temporary_sibling
from videofill.io.images import (
    is_image_file,
    list_images,
    read_image,
    to_uint8,
    write_png,
)
from videofill.io.video import iter_frames, probe

#: File value of a hole pixel.
HOLE_VALUE = 255
#: File value of a known pixel.
KNOWN_VALUE = 0
#: Compression noise allowed in lossy mask files (videos, JPEG): a pixel this bright or darker is known.
LOSSY_TOLERANCE = 24
#: Relative difference of aspect ratio (W/H) between masks and frames still taken as the same aspect (rounding).
ASPECT_TOLERANCE = 0.02

_LOSSY_IMAGE_EXTENSIONS = (".jpg", ".jpeg")


def image_to_holes(image: np.ndarray, tolerance: int = 0) -> np.ndarray:
    """The hole of one mask image: every pixel that is not zero (above ``tolerance`` for lossy files).

    Args:
        image: ``(H, W)`` grey or ``(H, W, C)`` with C in 1..4 (RGB(A) order), uint8, uint16, bool or float in [0, 1].
        tolerance: noise level of a lossy source, 0 for lossless files (see :data:`LOSSY_TOLERANCE`).

    Returns:
        bool ``(H, W)``, True = hole.

    Raises:
        ValueError: another shape or dtype.

    Example:
        >>> image_to_holes(np.array([[0, 1, 255]], dtype=np.uint8)).tolist()
        [[False, True, True]]
    """
    if image.dtype == np.bool_:
        return image if image.ndim == 2 else image.any(axis=2)
    image = to_uint8(image)
    if image.ndim == 3 and image.shape[2] in (2, 4):
        image = image[..., :-1]  # alpha is ignored
    if image.ndim == 3 and image.shape[2] in (1, 3):
        image = image.max(axis=2)
    if image.ndim != 2:
        raise ValueError(f"expected an (H, W) or (H, W, 1..4) mask image, got shape {image.shape}")
    return image > tolerance


def read_masks(
    source: str | os.PathLike,
    frame_count: int,
    size: tuple[int, int],
    *,
    start: int = 0,
    total: int | None = None,
    any_aspect: bool = False,
) -> np.ndarray:
    """Read the masks of a clip as bool ``(T, H, W)``, True = hole (convention: module docstring).

    Args:
        source: a folder of per-frame mask images (sorted by name, as frames are), a mask video, or one image used
            for every frame.
        frame_count: T, the number of frames the masks are for.
        size: ``(W, H)``, the frame size. Masks of another size but the same aspect ratio are resized with nearest
            neighbour, with a warning; another aspect ratio is an error unless ``any_aspect``.
        start: skip this many masks of a folder or video first (to process part of a clip from frame ``start``).
        total: the frame count of the whole clip when reading a part of it (frames ``start .. start + frame_count - 1``):
            a folder or video must then hold exactly ``total`` masks, also when ``start`` is 0. None: exactly
            ``frame_count`` masks when ``start`` is 0, at least ``start + frame_count`` otherwise.
        any_aspect: resize masks of any aspect ratio (composing a test case from another clip's masks).

    Returns:
        bool ``(frame_count, H, W)``.

    Raises:
        VideofillError: the source does not exist, a file is unreadable, or a folder/video holds another number of
            masks than the frames ("N masks in PATH but M frames in the video"; with ``start``, fewer than
            ``start + frame_count``; with ``total``, other than ``total``).
        ValueError: frame_count < 1, a size that is not positive, start < 0, or ``start + frame_count > total``.
    """
    width, height = (int(v) for v in size)
    holes = np.zeros((frame_count, height, width), dtype=bool)
    for i, hole in enumerate(iter_masks(source, frame_count, size, start=start, total=total, any_aspect=any_aspect)):
        holes[i] = hole
    return holes


def iter_masks(
    source: str | os.PathLike,
    frame_count: int,
    size: tuple[int, int],
    *,
    start: int = 0,
    total: int | None = None,
    any_aspect: bool = False,
) -> Iterator[np.ndarray]:
    """:func:`read_masks` one mask at a time: bool ``(H, W)`` per frame, each decoded once, front to back (a long
    clip's masks are never all in memory). The source and its mask count are checked when this is called; the
    arguments and errors are those of :func:`read_masks` (a video that decodes fewer frames than it declares
    raises when its end is reached)."""
    source = Path(source)
    width, height = (int(v) for v in size)
    if frame_count < 1 or width < 1 or height < 1 or start < 0:
        raise ValueError(f"expected frame_count >= 1, a positive (W, H) size and start >= 0, got {frame_count}, {size}, {start}")
    if total is not None and start + frame_count > total:
        raise ValueError(f"frames {start}..{start + frame_count - 1} asked for but the clip has {total}")
    if not source.exists():
        raise VideofillError(f"mask source {source} does not exist")

    if source.is_dir():
        files = list_images(source)
        _check_count(len(files), source, frame_count, start, total)
        images = (image_to_holes(read_image(f), _tolerance(f)) for f in files[start : start + frame_count])
    elif is_image_file(source):
        hole = image_to_holes(read_image(source), _tolerance(source))
        images = (hole for _ in range(frame_count))
    else:  # a mask video (or any file FFmpeg reads)
        _check_count(_probe_mask_video(source).frame_count, source, frame_count, start, total)
        images = (image_to_holes(f, LOSSY_TOLERANCE) for f in iter_frames(source, start, start + frame_count))
    return _sized(images, source, frame_count, start, width, height, any_aspect)


def _sized(images, source, frame_count, start, width, height, any_aspect) -> Iterator[np.ndarray]:
    """The masks resized to (width, height) (nearest neighbour, one warning), then a check of their count."""
    warned = False
    count = 0
    for hole in images:
        if hole.shape != (height, width):
            if not warned and not any_aspect:
                check_mask_size((hole.shape[1], hole.shape[0]), (width, height), source)
                warnings.warn(
                    f"masks in {source} are {hole.shape[1]}x{hole.shape[0]} but the frames are {width}x{height}: "
                    "resized with nearest neighbour",
                    stacklevel=3,
                )
                warned = True
            hole = cv2.resize(hole.view(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST_EXACT).view(bool)
        yield hole
        count += 1
    if count != frame_count:  # a video that decodes fewer frames than it declares
        raise VideofillError(f"{start + count} masks in {source} but {start + frame_count} frames in the video")


def check_mask_size(mask_size: tuple[int, int], frame_size: tuple[int, int], source: object) -> None:
    """Refuse masks whose aspect ratio is not the frames' (they were made for another video).

    Args:
        mask_size, frame_size: ``(W, H)`` in pixels.
        source: named in the message.

    Raises:
        VideofillError: the aspect ratios differ by more than :data:`ASPECT_TOLERANCE` (relative).
    """
    mask_aspect, frame_aspect = mask_size[0] / mask_size[1], frame_size[0] / frame_size[1]
    if abs(mask_aspect / frame_aspect - 1.0) > ASPECT_TOLERANCE:
        raise VideofillError(
            f"masks in {source} are {mask_size[0]}x{mask_size[1]} but the frames are {frame_size[0]}x{frame_size[1]}: "
            "another aspect ratio, so they were not made for this video"
        )


def _probe_mask_video(source: Path):
    """:func:`probe` of a mask source that is neither a folder nor an image, saying what a mask source may be."""
    try:
        return probe(source)
    except VideofillError as err:
        raise VideofillError(f"{err}; masks must be a folder of images, one image or a video") from None


def _tolerance(path: Path) -> int:
    return LOSSY_TOLERANCE if path.suffix.lower() in _LOSSY_IMAGE_EXTENSIONS else 0


def _check_count(available: int, source: Path, frame_count: int, start: int, total: int | None = None) -> None:
    if total is not None:
        if available != total:
            raise VideofillError(f"{available} masks in {source} but {total} frames in the video")
        return
    if start == 0 and available != frame_count:
        raise VideofillError(f"{available} masks in {source} but {frame_count} frames in the video")
    if start > 0 and available < start + frame_count:
        raise VideofillError(
            f"{available} masks in {source} but {start + frame_count} frames in the video "
            f"(frames {start}..{start + frame_count - 1} asked for)"
        )


def disc_kernel(pixels: int) -> np.ndarray:
    """uint8 ``(2 p + 1, 2 p + 1)`` disc of radius ``p = pixels``: 1 where ``dx^2 + dy^2 <= p^2`` (as skimage's ``disk``)."""
    offsets = np.arange(-pixels, pixels + 1)
    return (offsets[:, None] ** 2 + offsets[None, :] ** 2 <= pixels**2).astype(np.uint8)


def dilate_holes(holes: np.ndarray, pixels: int) -> np.ndarray:
    """Grow each frame's hole by ``pixels`` px: every pixel within Euclidean distance ``pixels`` of it becomes hole.

    ``cv2.dilate`` with the disc kernel :func:`disc_kernel` (diameter ``2 * pixels + 1``). OpenCV's own
    ``MORPH_ELLIPSE`` is not used: its rows are not symmetric with its columns (single-pixel tips), so it would grow
    holes more sideways than up and down. Frames are independent; nothing wraps around the border.

    Args:
        holes: bool ``(T, H, W)`` or ``(H, W)``, True = hole.
        pixels: growth in pixels, >= 0; 0 returns ``holes`` itself.

    Returns:
        bool, the shape of ``holes``.

    Raises:
        ValueError: pixels < 0, or holes not a bool (T, H, W) / (H, W) array.
    """
    if pixels < 0:
        raise ValueError(f"pixels must be >= 0, got {pixels}")
    holes = np.asarray(holes)
    if holes.dtype != np.bool_ or holes.ndim not in (2, 3):
        raise ValueError(f"expected bool (T, H, W) holes, got {holes.dtype} {holes.shape}")
    if pixels == 0:
        return holes
    kernel = disc_kernel(int(pixels))
    frames = holes[None] if holes.ndim == 2 else holes
    grown = np.stack([cv2.dilate(np.ascontiguousarray(h).view(np.uint8), kernel) for h in frames]).astype(bool)
    return grown[0] if holes.ndim == 2 else grown


def holes_to_images(holes: np.ndarray) -> np.ndarray:
    """Mask images to save: uint8 ``(T, H, W)`` (or ``(H, W)``), :data:`HOLE_VALUE` where ``holes`` is True, else 0."""
    return np.where(np.asarray(holes, dtype=bool), HOLE_VALUE, KNOWN_VALUE).astype(np.uint8)


class MaskFolderWriter:
    """Write masks chunk by chunk as single-channel PNGs ``folder/00000.png, ...`` (255 = hole), atomically.

    The folder is written under a temporary name and renamed when the ``with`` block ends cleanly; if it raises,
    the temporary folder is deleted and ``folder`` is left as it was. Memory holds one chunk at a time.

    Raises:
        VideofillError: ``folder`` exists and ``overwrite`` is False. A missing parent folder is made.
    """

    def __init__(self, folder: str | os.PathLike, *, overwrite: bool = False) -> None:
        self.folder = Path(folder)
        self.overwrite = overwrite
        self.folder.absolute().parent.mkdir(parents=True, exist_ok=True)
        if self.folder.exists() and not overwrite:
            raise VideofillError(f"{self.folder} already exists; pass overwrite=True (--overwrite) to replace it")
        self.count = 0
        self._tmp = temporary_sibling(self.folder)
        self._tmp.mkdir()

    def write(self, holes: np.ndarray) -> None:
        """Append bool ``(n, H, W)`` (or one ``(H, W)``) masks."""
        holes = np.asarray(holes)
        holes = holes[None] if holes.ndim == 2 else holes
        if holes.dtype != np.bool_ or holes.ndim != 3:
            raise ValueError(f"expected bool (T, H, W) holes, got {holes.dtype} {holes.shape}")
        for image in holes_to_images(holes):
            write_png(self._tmp / f"{self.count:05d}.png", image)
            self.count += 1

    def __enter__(self) -> "MaskFolderWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                move_into_place(self._tmp, self.folder, self.overwrite)
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)


def write_masks(folder: str | os.PathLike, holes: np.ndarray, *, overwrite: bool = False) -> list[Path]:
    """Write bool ``(T, H, W)`` holes as single-channel PNGs ``folder/00000.png, ...`` (255 = hole, 0 = known).

    The folder is written under a temporary name and renamed when complete (:class:`MaskFolderWriter`).

    Returns:
        the paths of the files written, in frame order.

    Raises:
        VideofillError: ``folder`` exists and ``overwrite`` is False, or its parent folder is missing.
        ValueError: holes is not bool (T, H, W).
    """
    holes = np.asarray(holes)
    if holes.dtype != np.bool_ or holes.ndim != 3:
        raise ValueError(f"expected bool (T, H, W) holes, got {holes.dtype} {holes.shape}")
    with MaskFolderWriter(folder, overwrite=overwrite) as writer:
        writer.write(holes)
    return [Path(folder) / f"{i:05d}.png" for i in range(len(holes))]
