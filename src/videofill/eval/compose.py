"""Composed test cases (the paper's section 4): a real background video plus the object masks of another clip.

Because the masked object is not in the background video, the background frames are the ground truth of the hole,
and a result can be scored with :func:`videofill.eval.report.evaluate`. The case is written in the layout of the shared
development data::

    out_dir/frames/00000.png ...   RGB, lossless PNG (the ground truth, and the input outside the hole)
    out_dir/masks/00000.png ...    single-channel PNG, 255 = hole, 0 = known
    out_dir/manifest.json          sources, frame count, size, fps, hole fraction
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from videofill.errors import VideofillError


def _mask_source_length(source: Path) -> int | None:
    """Frames in a mask source: images in a folder, frames of a video; None for one image (used for every frame)."""
    from videofill.io.images import is_image_file
    from videofill.io.video import probe

    if not source.exists():
        raise VideofillError(f"mask source not found: {source}")
    if source.is_file() and is_image_file(source):
        return None
    return int(probe(source).frame_count)


def _fps_text(fps: object) -> str | None:
    """A frame rate as an exact fraction string ("30000/1001", "24"); None when unknown."""
    if fps is None:
        return None
    try:
        value = Fraction(fps)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return str(value) if value > 0 else None


def _prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    parts = [out_dir / "frames", out_dir / "masks", out_dir / "manifest.json"]
    present = [p for p in parts if p.exists()]
    if present and not overwrite:
        raise VideofillError(f"{present[0]} already exists; pass overwrite=True (--overwrite) to replace the case")
    for path in present:  # only what this function writes, never the rest of out_dir
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def compose_case(
    background: str | os.PathLike,
    mask_source: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    frame_count: int | None = None,
    size: tuple[int, int] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a composed test case: the frames of ``background`` with the hole masks of ``mask_source``.

    The two are cut to the same length: the first ``frame_count`` frames, or as many as the shorter has (a single
    mask image is used for every frame). Masks are resized to the background's size with nearest-neighbour; with
    ``size`` both are resized to it (frames with ``cv2.INTER_AREA``, masks nearest-neighbour). ``size`` is used as is:
    no cropping, so keep the aspect ratio yourself. Frames whose mask is empty trigger a warning (not an error).
    The manifest's ``fps`` is the background video's exact rate as text (``"30000/1001"``), or null when the
    background is a frame folder (which has no rate of its own).

    Args:
        background: the ground-truth video: a video file (.mp4, .mkv, .mov) or a folder of frame images.
        mask_source: masks of another clip: a folder of mask images, a mask video, or one mask image (non-zero is
            hole; colour: any non-black pixel is hole; see :func:`videofill.io.masks.read_masks`).
        out_dir: the case folder to write (created if needed).
        frame_count: frames to keep (at most what both sources have); None: as many as the shorter source has.
        size: (width, height) of the case in px; None: the background's size.
        overwrite: replace ``frames/``, ``masks/`` and ``manifest.json`` if ``out_dir`` already holds a case.

    Returns:
        ``out_dir`` as a Path.

    Raises:
        VideofillError: a source is missing or unreadable, ``frame_count`` exceeds what the sources have or is < 1,
            ``size`` is not two positive integers, or ``out_dir`` holds a case and ``overwrite`` is False.
    """
    from videofill.io.masks import read_masks, write_masks
    from videofill.io.video import probe, read_frames
    from videofill.io.writer import VideoWriter

    background, mask_source, out_dir = Path(background), Path(mask_source), Path(out_dir)
    if not background.exists():
        raise VideofillError(f"background video not found: {background}")
    if size is not None and not (
        len(size) == 2 and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in size)
    ):
        raise VideofillError(f"size must be (width, height) in positive whole px, got {size}")
    if frame_count is not None and frame_count < 1:
        raise VideofillError(f"frame count must be at least 1, got {frame_count}")

    info = probe(background)
    background_count, source_w, source_h = int(info.frame_count), int(info.width), int(info.height)
    fps = None if info.is_folder else _fps_text(info.fps)  # a frame folder has no frame rate of its own
    mask_count = _mask_source_length(mask_source)
    available = background_count if mask_count is None else min(background_count, mask_count)
    if frame_count is not None and frame_count > available:
        raise VideofillError(
            f"{frame_count} frames asked for but {background} has {background_count} and {mask_source} has "
            f"{mask_count if mask_count is not None else 'any number of'}"
        )
    count = frame_count or available

    frames = read_frames(background, 0, count)  # (T, H, W, 3) uint8
    count = len(frames)  # a video may decode fewer frames than its container states
    source_h, source_w = frames.shape[1:3]  # as decoded
    width, height = (int(size[0]), int(size[1])) if size is not None else (source_w, source_h)
    if (width, height) != (source_w, source_h):
        frames = np.stack([cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA) for frame in frames])
    with warnings.catch_warnings():  # resizing the masks is what a composed case asks for, not a surprise
        warnings.filterwarnings("ignore", message=r"masks in .* resized")
        holes = read_masks(mask_source, mask_count if mask_count is not None else count, size=(width, height), any_aspect=True)[:count]

    fractions = holes.reshape(count, -1).mean(axis=1)  # (T,) hole fraction per frame
    empty = [int(t) for t in np.flatnonzero(fractions == 0)]
    if empty:
        warnings.warn(f"{mask_source}: the masks of frames {empty} are empty (nothing to fill there)", stacklevel=2)

    _prepare_out_dir(out_dir, overwrite)
    with VideoWriter(out_dir / "frames", fps or info.fps) as writer:  # PNG folder 00000.png, ...
        for frame in frames:
            writer.write(frame)
    write_masks(out_dir / "masks", holes)

    manifest = {
        "case": out_dir.name,
        "type": "composed",
        "frame_count": count,
        "width": width,
        "height": height,
        "fps": fps,  # exact fraction as text ("30000/1001"); null when the background is a frame folder
        "ground_truth": True,
        "ground_truth_note": "frames/ ARE the ground truth (the background video); the masks come from a different "
        "clip. A method must only use frame pixels where mask == 0.",
        "frames_source": {
            "path": str(background.resolve()),
            "frame_count": int(background_count),
            "size": [int(source_w), int(source_h)],
            "frame_range": [0, count - 1],
        },
        "masks_source": {
            "path": str(mask_source.resolve()),
            "frame_count": mask_count,
            "frame_range": [0, count - 1] if mask_count is not None else None,
        },
        "mask_convention": "single-channel 8-bit PNG, 255 = hole (to be filled), 0 = known",
        "hole_fraction": {
            "min": round(float(fractions.min()), 4),
            "mean": round(float(fractions.mean()), 4),
            "max": round(float(fractions.max()), 4),
        },
        "empty_mask_frames": empty,
        "processing": (
            f"first {count} frames of each source; "
            + (
                f"frames resized {source_w}x{source_h} -> {width}x{height} with cv2.INTER_AREA; "
                if (width, height) != (source_w, source_h)
                else "frames at their source size; "
            )
            + f"masks resized to {width}x{height} with nearest-neighbour where their size differed; lossless PNG"
        ),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out_dir
