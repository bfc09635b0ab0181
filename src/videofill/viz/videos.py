"""The visualisations on files: videos or frame folders in, a figure image or a video out (``videofill viz``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from videofill.errors import VideofillError
from videofill.io.masks import read_masks
from videofill.io.video import probe, read_frames
from videofill.io.writer import VideoWriter
from videofill.viz.canvas import save_image
from videofill.viz.figures import side_by_side
from videofill.viz.frames import flow_to_color, outline_holes
from videofill.viz.slices import temporal_slice_figure


def slice_figure_file(
    inputs: Sequence[str | os.PathLike],
    output: str | os.PathLike,
    row: int | None = None,
    masks: str | os.PathLike | None = None,
) -> Path:
    """Write :func:`~videofill.viz.slices.temporal_slice_figure` of several results of one video to an image.

    Args:
        inputs: videos or frame folders of one shape, each labelled with its file name.
        output: the image to write (.png recommended); an existing one is replaced.
        row: the image row to slice; None: the middle row.
        masks: the holes, outlined on the figure; None: no outline.

    Returns:
        the path written.

    Raises:
        VideofillError: an input or the masks cannot be read, ``row`` is outside the frames, or the image cannot be
            written.
    """
    videos = {Path(p).stem or str(p): read_frames(p) for p in inputs}
    first = next(iter(videos.values()))
    row = row if row is not None else first.shape[1] // 2
    holes = read_masks(masks, len(first), (first.shape[2], first.shape[1])) if masks else None
    return save_image(output, temporal_slice_figure(videos, row, holes))


def flow_video(input: str | os.PathLike, output: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the colour-coded flow (:func:`~videofill.viz.frames.flow_to_color`) from each frame to the next as a
    video (or a folder of PNG frames) one frame shorter than ``input``, at its frame rate.

    Returns:
        the path written.

    Raises:
        VideofillError: the input cannot be read, or the output exists and ``overwrite`` is False.
    """
    from videofill.fill.flow import estimate_flow

    frames = read_frames(input)
    colours = [flow_to_color(estimate_flow(a, b)) for a, b in zip(frames[:-1], frames[1:])]
    with VideoWriter(output, probe(input).fps, overwrite=overwrite) as writer:
        for image in colours:
            writer.write(np.ascontiguousarray(image))
    return writer.path


def side_by_side_video(
    inputs: Sequence[str | os.PathLike],
    output: str | os.PathLike,
    masks: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> Path:
    """Write videos of one length and height side by side (:func:`~videofill.viz.figures.side_by_side`), each
    labelled with its file name, at the first one's frame rate.

    Args:
        inputs: videos or frame folders.
        output: the video (or folder of PNG frames) to write.
        masks: the holes, outlined on the first input; None: no outline.
        overwrite: replace an existing output.

    Returns:
        the path written.

    Raises:
        VideofillError: an input cannot be read, the inputs differ in length or height, or the output exists and
            ``overwrite`` is False.
    """
    videos = [read_frames(p) for p in inputs]
    lengths = {len(v) for v in videos}
    heights = {v.shape[1] for v in videos}
    if len(lengths) > 1 or len(heights) > 1:
        found = ", ".join(f"{p}: {len(v)} frames of height {v.shape[1]}" for p, v in zip(inputs, videos))
        raise VideofillError(f"side-by-side needs videos of one length and height; got {found}")
    if masks:
        holes = read_masks(masks, len(videos[0]), (videos[0].shape[2], videos[0].shape[1]))
        videos[0] = outline_holes(videos[0], holes)
    labels = [Path(p).stem for p in inputs]
    with VideoWriter(output, probe(inputs[0]).fps, overwrite=overwrite) as writer:
        for frame in side_by_side(videos, labels):
            writer.write(frame)
    return writer.path
