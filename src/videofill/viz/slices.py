"""Temporal slices (the paper's Fig. 5): one image row of every frame, stacked, time running downward."""

from __future__ import annotations

import math
from collections.abc import Mapping

import cv2
import numpy as np

from videofill.errors import VideofillError
from videofill.viz.canvas import YELLOW, hconcat, label_above
from videofill.viz.frames import outline_holes


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
    panels = [label_above(sample, f"frame {middle}, row {row}")]
    for name, video in named_videos.items():
        strip = np.repeat(temporal_slice(video, row), repeat, axis=0)  # (T, W, 3) -> (T * repeat, W, 3)
        if holes is not None:
            strip = outline_holes(strip, np.repeat(holes[:, row], repeat, axis=0))
        panels.append(label_above(strip, name))
    return hconcat(panels)
