"""A small sample clip that ships with videofill, made procedurally so that it can be redistributed freely.

The background is a camera pan over scikit-image's ``astronaut`` picture (a NASA photograph of Eileen Collins, in
the public domain): a crop window that moves a few pixels per frame, so the background really moves. A textured
blob, drawn procedurally, crosses the picture the other way; it is the object to remove. Because the clean pan is
known, a result can be scored against it.

``make_sample(folder)`` writes::

    folder/input.mp4          the clip to inpaint (H.264, lossy), 24 fps
    folder/frames/00000.png   the same frames, lossless (use these for evaluation)
    folder/masks/00000.png    255 = hole: the blob grown by MASK_MARGIN px, so no anti-aliased halo is left outside
    folder/ground_truth/...   the clean pan without the blob
    folder/README.txt         where the picture comes from and its licence
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import skimage.data

from videofill.errors import VideofillError
from videofill.io.atomic import move_into_place, temporary_sibling
from videofill.io.masks import dilate_holes, write_masks
from videofill.io.writer import write_frames

#: Frame rate of the sample.
SAMPLE_FPS = Fraction(24)
#: Pixels the hole extends beyond the drawn blob.
MASK_MARGIN = 3
#: Pan speed of the camera in pixels per frame (x, y).
PAN_SPEED = (3.0, 1.0)

_README = """\
videofill sample clip
=====================

Made by videofill.sample.make_sample(seed={seed}): {count} frames, {width}x{height}, {fps} fps.

input.mp4       the clip to inpaint (H.264, lossy)
frames/         the same frames as lossless PNGs (use these to evaluate)
masks/          one mask per frame, 255 = hole (the blob, grown by {margin} px), 0 = known
ground_truth/   the clean camera pan without the blob, to score a result

Try:
    videofill inpaint {folder}/input.mp4 {folder}/masks -o result.mp4
    videofill eval result.mp4 {folder}/ground_truth {folder}/masks

Where the picture comes from, and its licence
---------------------------------------------
The background is "astronaut" from scikit-image (skimage.data.astronaut()): a photograph of the
astronaut Eileen Collins by NASA, from the NASA Great Images database (https://flic.kr/p/r9qvLn).
scikit-image describes it as "No known copyright restrictions, released into the public domain";
works of NASA are not subject to copyright in the United States. The moving blob and the camera pan
are drawn by videofill's code. This sample may be copied and redistributed freely.
"""


@dataclass(frozen=True)
class Sample:
    """Paths written by :func:`make_sample`."""

    folder: Path  # the sample folder
    input: Path  # input.mp4, the clip to inpaint
    frames: Path  # frames/, the input as lossless PNGs
    masks: Path  # masks/, 255 = hole
    ground_truth: Path  # ground_truth/, the clean pan
    readme: Path  # README.txt, source and licence


def render_sample(frame_count: int = 24, size: tuple[int, int] = (320, 176), seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw the sample in memory (deterministic for a seed).

    Args:
        frame_count: T >= 1.
        size: ``(W, H)`` of the frames, each >= 16.
        seed: picks where the pan starts, the blob's colours, path and shape.

    Returns:
        ``(frames, holes, truth)``: the input uint8 ``(T, H, W, 3)`` RGB with the blob, the holes bool ``(T, H, W)``
        (the blob grown by :data:`MASK_MARGIN` px) and the clean pan uint8 ``(T, H, W, 3)``. ``frames`` and
        ``truth`` differ only inside ``holes``.

    Raises:
        ValueError: frame_count < 1 or a side < 16.
    """
    width, height = (int(v) for v in size)
    if frame_count < 1 or width < 16 or height < 16:
        raise ValueError(f"expected frame_count >= 1 and a size of at least 16x16, got {frame_count}, {size}")
    rng = np.random.default_rng(seed)
    truth = _pan(frame_count, width, height, rng)

    # The blob: a wobbly disc with stripes and shading, crossing the frame against the pan.
    radius = 0.13 * min(width, height) + 0.04 * max(width, height)
    colours = rng.uniform(40, 255, size=(2, 3))
    stripe_angle = rng.uniform(0, math.pi)
    lobes, phase = int(rng.integers(2, 5)), rng.uniform(0, 2 * math.pi)
    y0, wave = rng.uniform(0.35, 0.65) * height, rng.uniform(0.05, 0.15) * height
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)

    frames = np.empty_like(truth)
    holes = np.empty((frame_count, height, width), dtype=bool)
    for t in range(frame_count):
        progress = t / max(frame_count - 1, 1)
        cx = width * (0.2 + 0.6 * progress)  # left to right, while the picture slides right to left
        cy = y0 + wave * math.sin(2 * math.pi * progress)
        dx, dy = xs - cx, ys - cy
        distance = np.hypot(dx, dy)
        angle = np.arctan2(dy, dx)
        edge = radius * (1 + 0.15 * np.sin(lobes * angle + phase + 0.3 * t))  # blob outline, px from the centre
        alpha = np.clip(edge - distance + 0.5, 0.0, 1.0)  # 1 px anti-aliased edge
        stripes = 0.5 + 0.5 * np.sin((dx * math.cos(stripe_angle) + dy * math.sin(stripe_angle)) / 3.0 + 0.5 * t)
        shade = 1.0 - 0.5 * np.clip(distance / radius, 0, 1) ** 2
        colour = (colours[0] * stripes[..., None] + colours[1] * (1 - stripes[..., None])) * shade[..., None]
        blended = truth[t] * (1 - alpha[..., None]) + colour * alpha[..., None]  # (H, W, 3)
        frames[t] = np.where(alpha[..., None] > 0, np.clip(np.round(blended), 0, 255), truth[t])
        holes[t] = alpha > 0
    return frames, dilate_holes(holes, MASK_MARGIN), truth


def _pan(frame_count: int, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """The clean background: (T, H, W, 3) crops of the astronaut picture along a smooth camera path."""
    photo = skimage.data.astronaut()  # (512, 512, 3) uint8, public domain
    travel_x = math.ceil(PAN_SPEED[0] * (frame_count - 1))
    travel_y = math.ceil(PAN_SPEED[1] * (frame_count - 1)) + 4  # + room for a gentle vertical sway
    scale = max(1.0, (width + travel_x + 8) / photo.shape[1], (height + travel_y + 8) / photo.shape[0])
    if scale > 1.0:  # a long or large sample: enlarge the picture so the path fits
        import cv2

        photo = cv2.resize(photo, (math.ceil(photo.shape[1] * scale), math.ceil(photo.shape[0] * scale)), interpolation=cv2.INTER_CUBIC)
    x0 = int(rng.integers(0, photo.shape[1] - width - travel_x + 1))
    y0 = int(rng.integers(0, photo.shape[0] - height - travel_y + 1))
    truth = np.empty((frame_count, height, width, 3), dtype=np.uint8)
    for t in range(frame_count):
        x = x0 + round(PAN_SPEED[0] * t)
        y = y0 + round(PAN_SPEED[1] * t + 2 + 2 * math.sin(t / 4))  # 2 +- 2: stays in [0, travel_y]
        truth[t] = photo[y : y + height, x : x + width]
    return truth


def make_sample(
    out_dir: str | os.PathLike,
    *,
    frame_count: int = 24,
    size: tuple[int, int] = (320, 176),
    seed: int = 0,
    overwrite: bool = False,
) -> Sample:
    """Write the sample clip, its masks, its ground truth and a README into ``out_dir`` (layout: module docstring).

    The folder is built under a temporary name and renamed when complete. Deterministic for a seed (PNG files are
    identical between runs; the mp4 too with the same FFmpeg build).

    Args:
        out_dir: folder to create; it may exist if empty.
        frame_count: number of frames.
        size: ``(W, H)``; both even (H.264 ``yuv420p`` would otherwise pad the video).
        seed: see :func:`render_sample`.
        overwrite: replace an existing non-empty ``out_dir``.

    Returns:
        :class:`Sample` with the paths written.

    Raises:
        VideofillError: ``out_dir`` exists, is not empty and ``overwrite`` is False, or its parent is missing.
        ValueError: an odd side, or what :func:`render_sample` rejects.
    """
    out_dir = Path(out_dir)
    if size[0] % 2 or size[1] % 2:
        raise ValueError(f"the sample size must be even (H.264 yuv420p), got {size[0]}x{size[1]}")
    parent = out_dir.absolute().parent
    if not parent.is_dir():
        raise VideofillError(f"output folder {parent} does not exist (for {out_dir.name})")
    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())) and not overwrite:
        raise VideofillError(f"{out_dir} already exists and is not empty; pass overwrite=True or choose another folder")
    frames, holes, truth = render_sample(frame_count, size, seed)

    tmp = temporary_sibling(out_dir)
    try:
        tmp.mkdir()
        write_frames(tmp / "input.mp4", frames, SAMPLE_FPS, crf=18)
        write_frames(tmp / "frames", frames, SAMPLE_FPS)
        write_masks(tmp / "masks", holes)
        write_frames(tmp / "ground_truth", truth, SAMPLE_FPS)
        readme = _README.format(
            seed=seed, count=frame_count, width=size[0], height=size[1], fps=SAMPLE_FPS, margin=MASK_MARGIN, folder=out_dir
        )
        (tmp / "README.txt").write_text(readme, encoding="utf-8")
        if out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        move_into_place(tmp, out_dir, overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Sample(
        folder=out_dir,
        input=out_dir / "input.mp4",
        frames=out_dir / "frames",
        masks=out_dir / "masks",
        ground_truth=out_dir / "ground_truth",
        readme=out_dir / "README.txt",
    )
