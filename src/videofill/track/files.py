"""Tracking on files: marks typed on the command line, a video or frame folder in, a folder of PNG masks out.

The marks' text forms (what ``--key``, ``--box`` and ``--points`` take), each ``FRAME=...`` where FRAME is a frame
number (``12``) or a time (``2.5s``, ``0:02.5``):

- ``--key FRAME=MASK_IMAGE``: a whole mask of that frame (non-zero = object, as every mask videofill reads);
- ``--box FRAME=X0,Y0,X1,Y1``: a box around the object, pixels, X1 and Y1 exclusive;
- ``--points FRAME=X,Y[,X,Y...]``: pixels on the object.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from videofill.errors import VideofillError
from videofill.io.masks import MaskFolderWriter, read_masks
from videofill.io.timecode import frame_at
from videofill.io.video import VideoInfo, iter_frames, probe
from videofill.io.writer import VideoWriter, check_output_path
from videofill.stream import SequentialFrames
from videofill.track.config import TrackConfig
from videofill.track.marks import Mark, check_marks
from videofill.track.tracker import track_stream


@dataclass
class MarkText:
    """One mark as the user typed it: ``kind`` is ``"key"``, ``"box"`` or ``"points"``; ``text`` is ``FRAME=...``."""

    kind: str
    text: str


def parse_marks(texts: list[MarkText], info: VideoInfo) -> list[Mark]:
    """Marks from their text forms (module docstring), checked against the clip.

    Raises:
        VideofillError: a malformed mark, a frame outside the clip, a key mask of another size or empty, a box
            outside the frame or of zero area, two marks on one frame.
    """
    marks = []
    for item in texts:
        flag = f"--{item.kind}"
        frame_text, sep, value = item.text.partition("=")
        if not sep or not value:
            raise VideofillError(f"{flag} {item.text!r}: expected FRAME=..., e.g. {flag} 0={_EXAMPLES[item.kind]}")
        frame = frame_at(frame_text, info.fps)
        if item.kind == "key":
            if not Path(value).is_file():
                raise VideofillError(f"{flag} {item.text!r}: mask image {value} does not exist")
            mask_size = _image_size(value)
            if mask_size != (info.width, info.height):
                raise VideofillError(f"{flag} {item.text!r}: the mask is {mask_size[0]}x{mask_size[1]} but the frames are {info.width}x{info.height}")
            marks.append(Mark(frame, mask=read_masks(value, 1, (info.width, info.height))[0]))
            continue
        try:
            numbers = [int(round(float(v))) for v in value.split(",")]
        except ValueError:
            raise VideofillError(f"{flag} {item.text!r}: expected numbers, e.g. {flag} 0={_EXAMPLES[item.kind]}") from None
        if item.kind == "box":
            if len(numbers) != 4:
                raise VideofillError(f"{flag} {item.text!r}: a box is X0,Y0,X1,Y1")
            marks.append(Mark(frame, box=tuple(numbers)))
        else:
            if len(numbers) < 2 or len(numbers) % 2:
                raise VideofillError(f"{flag} {item.text!r}: points are X,Y pairs")
            marks.append(Mark(frame, points=tuple(zip(numbers[::2], numbers[1::2]))))
    check_marks(marks, info.frame_count, (info.height, info.width))
    return marks


_EXAMPLES = {"key": "mask.png", "box": "120,40,260,200", "points": "150,90,170,120"}


def _image_size(path: str) -> tuple[int, int]:
    from videofill.io.images import read_image

    image = read_image(path)
    return image.shape[1], image.shape[0]


def track_file(
    input: str | os.PathLike,
    marks: list[Mark] | list[MarkText],
    output: str | os.PathLike,
    config: TrackConfig | None = None,
    *,
    dilate: int = 0,
    preview: str | os.PathLike | None = None,
    overwrite: bool = False,
    progress: bool = False,
    on_masks: Callable[[np.ndarray], None] | None = None,
) -> Path:
    """Track the marked object through a video or frame folder and write its masks as PNGs (255 = object).

    Streams: full-size frames are held a chunk at a time (the tracker keeps the clip at its working size only).

    Args:
        input: a video file or a folder of frames.
        marks: :class:`~videofill.track.marks.Mark` objects, or their text forms (:class:`MarkText`).
        output: the mask folder to write (``00000.png, ...``), exactly what ``videofill inpaint`` reads.
        config: tracker settings (``TrackConfig()`` when None).
        dilate: grow every tracked mask by this many pixels.
        preview: also write this video (.mp4/.mkv/.mov) or PNG folder: the frames with the mask tinted and outlined.
        overwrite: replace existing outputs.
        progress: print the tracker's stages.
        on_masks: called with each chunk of masks, bool (n, H, W), in order (e.g. to feed an inpainting run).

    Returns:
        the mask folder.

    Raises:
        VideofillError: unreadable input, bad marks (see :func:`parse_marks`), refused output paths.
    """
    from videofill.io.masks import dilate_holes

    output = Path(output)
    if output.suffix:
        raise VideofillError(f"{output}: masks are written as a folder of PNGs; give a path without a file ending")
    if dilate < 0:
        raise VideofillError(f"--dilate must be 0 or more pixels, got {dilate}")
    check_output_path(output, overwrite=overwrite, inputs=(input,), create=False)
    if preview is not None:
        check_output_path(preview, overwrite=overwrite, inputs=(input, output), create=False)
    info = probe(input)
    if marks and isinstance(marks[0], MarkText):
        marks = parse_marks(marks, info)

    sequential = SequentialFrames(iter_frames(input))  # chunks in order: each frame decoded once

    def read(start: int, end: int) -> np.ndarray:
        try:
            return sequential(start, end)
        except ValueError:  # a marked frame behind the chunks read so far: decode it on its own
            return np.stack(list(iter_frames(input, start, end)))

    with MaskFolderWriter(output, overwrite=overwrite) as writer:

        def keep(masks: np.ndarray) -> None:
            masks = dilate_holes(masks, dilate) if dilate else masks
            writer.write(masks)
            if on_masks is not None:
                on_masks(masks)

        track_stream(read, info.frame_count, marks, keep, config=config, progress=progress)
    if preview is not None:
        write_preview(input, output, preview, info, overwrite=overwrite)
    return output


def write_preview(input, masks, preview, info: VideoInfo, *, overwrite: bool = False) -> Path:
    """The clip with its masks (a mask source, non-zero = object) tinted red and outlined, written to ``preview``."""
    from videofill.io.masks import iter_masks
    from videofill.viz import outline_holes

    holes = iter_masks(masks, info.frame_count, (info.width, info.height))
    with VideoWriter(preview, info.fps, overwrite=overwrite) as writer:
        for frame, hole in zip(iter_frames(input), holes):
            tinted = frame.copy()
            tinted[hole] = (0.5 * tinted[hole] + (127, 0, 0)).astype(np.uint8)
            writer.write(outline_holes(tinted[None], hole[None])[0])
    return Path(preview)
