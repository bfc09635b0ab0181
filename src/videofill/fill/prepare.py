"""The video at the working resolution: resizing, blanking and Telea-filling the holes, padding for the network, and
the crop around the holes that training may be cut to (a *crop* is a rectangle of the frame; a *window*, in
:mod:`videofill.stream`, is a run of frames).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from videofill.config import InpaintConfig
from videofill.fill.flow import VideoFlows
from videofill.fill.inference import resize_frames
from videofill.fill.propagate import telea_fill
from videofill.fill.train import VideoTensors


def working_size(width: int, height: int, config: InpaintConfig) -> tuple[int, int]:
    """(W, H) the network works at: ``config.size``, or the input scaled so its longer side is at most max_side."""
    if config.size is not None:
        return config.size
    scale = min(1.0, config.max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))



def padded_size(width: int, height: int, depth: int) -> tuple[int, int]:
    """Smallest (W, H) at least the given size that the network accepts: multiples of 2**depth, >= 3 * 2**depth."""
    multiple = 2**depth

    def fit(side: int) -> int:
        return max(math.ceil(side / multiple) * multiple, 3 * multiple)

    return fit(width), fit(height)



@dataclass
class PreparedVideo:
    """The video at the working resolution, padded for the network.

    Attributes:
        frames: uint8 (T, Hp, Wp, 3), padded by reflection at the right and bottom.
        holes: bool (T, Hp, Wp); the padding counts as hole (it is never a training target).
        size: (W, H) working size before padding.
    """

    frames: np.ndarray
    holes: np.ndarray
    size: tuple[int, int]



def prepare(frames: np.ndarray, holes: np.ndarray, config: InpaintConfig) -> PreparedVideo:
    """Resize frames (area) and holes (a working pixel is hole when any input pixel under it is) and pad them.

    The input's hole pixels are never read: they are blanked before resizing, and at the working size every hole
    pixel is filled frame by frame from the known ones (OpenCV Telea), so what comes next (flow estimation above
    all, whose patches straddle the hole's edge) sees known pixels only, as the evaluation protocol requires.
    """
    size = working_size(frames.shape[2], frames.shape[1], config)
    small = np.stack([  # frame by frame: no full-resolution copy of the clip
        resize_frames(np.where(hole[..., None], np.uint8(0), frame)[None], size, cv2.INTER_AREA)[0]
        for frame, hole in zip(frames, holes)
    ])
    small_holes = np.stack(
        [cv2.resize(h.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0 for h in holes]
    ) if holes.shape[1:] != (size[1], size[0]) else holes.copy()
    small = telea_fill(small, small_holes)
    pad_w, pad_h = (p - s for p, s in zip(padded_size(*size, config.depth), size))
    if pad_w or pad_h:
        small = np.pad(small, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="reflect" if min(size) > 1 else "edge")
        small_holes = np.pad(small_holes, ((0, 0), (0, pad_h), (0, pad_w)), constant_values=True)
    return PreparedVideo(small, small_holes, size)



def hole_region(prepared: PreparedVideo, depth: int, margin: int) -> tuple[int, int, int, int] | None:
    """The crop (x0, y0, x1, y1) of the padded working frames that holds every hole pixel of the video plus
    ``margin`` pixels of context on each side, grown to what the network accepts (sides multiples of 2**depth, at
    least 3 * 2**depth) and shifted inside the frame; None when it would cover 90 % of the frame or more."""
    height, width = prepared.holes.shape[1:]
    real = prepared.holes[:, : prepared.size[1], : prepared.size[0]].any(axis=0)  # the padding is not a hole to fill
    ys, xs = np.nonzero(real)
    if len(xs) == 0:
        return None
    multiple = 2**depth

    def span(low: int, high: int, limit: int) -> tuple[int, int]:
        low, high = max(0, low - margin), min(limit, high + margin)
        length = max(3 * multiple, math.ceil((high - low) / multiple) * multiple)
        if length >= limit:
            return 0, limit
        low = min(low, limit - length)
        return low, low + length

    x0, x1 = span(int(xs.min()), int(xs.max()) + 1, width)
    y0, y1 = span(int(ys.min()), int(ys.max()) + 1, height)
    if (x1 - x0) * (y1 - y0) >= 0.9 * width * height:
        return None
    return x0, y0, x1, y1



def crop_video(video: VideoTensors, region: tuple[int, int, int, int]) -> VideoTensors:
    """``video`` cut to the crop (x0, y0, x1, y1) of :func:`hole_region`: frames, holes, noise, flows, guide, base."""
    x0, y0, x1, y1 = region
    cut = (..., slice(y0, y1), slice(x0, x1))

    def part(tensor: torch.Tensor | None) -> torch.Tensor | None:
        return None if tensor is None else tensor[cut].contiguous()

    flows = video.flows
    if flows is not None:
        flows = VideoFlows(part(flows.flows), part(flows.valid), part(flows.reliable), flows.scale)
    return VideoTensors(
        part(video.frames), part(video.holes), part(video.noise), flows, part(video.guide), part(video.guide_trusted), part(video.base)
    )

