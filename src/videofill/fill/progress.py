"""Training progress on disk (the paper's Fig. 8): generated frames, and generated flows, every P steps.

:class:`ProgressSaver` is a ``pipeline.inpaint_video(on_step=...)`` hook. At the first step and then every ``every``
steps it generates a few fixed frames with the current network and writes them as PNGs; for DIP-Vid-Flow it also
writes the generated flow to the next frame as a colour image (:func:`videofill.viz.flow_to_color`). After the run,
:meth:`ProgressSaver.finish` adds the final frames, the loss curves (``loss.png``) and the loss history (``loss.csv``).

Files (``N`` = steps done, ``i`` = frame index; images at the working resolution, padding cropped):

- ``input_frame_iiiii.png``: the input frame with its hole outlined in red (written once);
- ``input_flow_frame_iiiii.png``: the input flow the network is trained towards (DIP-Vid-Flow, written once);
- ``step_NNNNNN_frame_iiiii.png`` and ``step_NNNNNN_frame_iiiii_flow.png``: the network's frame and flow;
- ``final_frame_iiiii.png``, ``loss.png``, ``loss.csv``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn as nn

from videofill.errors import VideofillError
from videofill.fill.flow import FLOW_OFFSETS
from videofill.fill.inference import iter_generated, to_uint8
from videofill.fill.train import VideoTensors
from videofill.viz import flow_to_color, loss_curve_png, outline_holes, save_image


def spread_frames(count: int, how_many: int = 3) -> list[int]:
    """``how_many`` frame indices spread evenly inside a ``count``-frame video (ends excluded when possible).

    >>> spread_frames(12)
    [3, 6, 8]
    """
    if count < 1:
        return []
    picks = np.linspace(0, count - 1, how_many + 2)[1:-1] if count > how_many else np.arange(count)
    return sorted({int(round(p)) for p in picks})


class ProgressSaver:
    """Writes the generated frames (and flows) of a few fixed frames every ``every`` training steps.

    Use it as ``inpaint_video(..., on_step=saver)`` and call :meth:`finish` with the result afterwards.

    Args:
        folder: where to write (created if missing).
        every: save after the first step and then after every ``every`` steps.
        frame_indices: frames to show; None: 3 frames spread over the clip (:func:`spread_frames`).
        batch_frames: frames generated together, the training batch size N (each frame is generated in the run that
            has it nearest the centre, as :func:`videofill.fill.inference.generate_video` does).
        size: (W, H) working size before the network's padding, to crop the images to; None: no crop.
        autocast: bfloat16 autocast, as in training (``config.bf16``).

    Raises:
        VideofillError: ``every`` < 1, or ``folder`` cannot be created.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        every: int = 100,
        frame_indices: Sequence[int] | None = None,
        *,
        batch_frames: int = 5,
        size: tuple[int, int] | None = None,
        autocast: bool = False,
    ) -> None:
        if every < 1:
            raise VideofillError(f"--progress-every must be at least 1, got {every}")
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise VideofillError(f"cannot create the progress folder {self.folder}: {err.strerror}") from None
        self.every, self.batch_frames, self.size, self.autocast = every, batch_frames, size, autocast
        self.frame_indices = list(frame_indices) if frame_indices is not None else None
        self._wrote_inputs = False

    def due(self, step: int) -> bool:
        """Whether 0-based ``step`` is one to save after: the first, and every ``every``-th."""
        return step == 0 or (step + 1) % self.every == 0

    def __call__(self, step: int, model: nn.Module, video: VideoTensors) -> None:
        """The ``on_step`` hook: saves when :meth:`due`."""
        if self.due(step):
            self.save(step, model, video)

    def _frames_of(self, count: int) -> list[int]:
        if self.frame_indices is None:
            self.frame_indices = spread_frames(count)
        bad = [i for i in self.frame_indices if not 0 <= i < count]
        if bad:
            raise VideofillError(f"progress frame(s) {bad} are outside the video's {count} frames")
        return self.frame_indices

    def _crop(self, image: np.ndarray) -> np.ndarray:
        return image if self.size is None else image[: self.size[1], : self.size[0]]

    @staticmethod
    def _offset(frame: int, count: int) -> int:
        """Index into FLOW_OFFSETS of the flow shown for ``frame``: to the next frame (the previous for the last)."""
        return FLOW_OFFSETS.index(1 if frame + 1 < count else -1)

    def _flow_image(self, pixels: torch.Tensor, scale: float) -> np.ndarray:
        """Flow (2, H, W) in px -> colour image, full brightness at ``scale`` px (the largest input flow of that
        stride, so every step uses one colour scale)."""
        return self._crop(flow_to_color(pixels.permute(1, 2, 0).numpy(), max_magnitude=scale))

    def _write_inputs(self, video: VideoTensors, frames: list[int]) -> None:
        """The input frames with their holes outlined, and the input flows (the training targets)."""
        count = len(video.frames)
        for i in frames:
            image = to_uint8(video.frames[i : i + 1])[0]  # (1, 3, H, W) -> (H, W, 3)
            outlined = outline_holes(image, video.holes[i, 0].numpy())
            save_image(self.folder / f"input_frame_{i:05d}.png", self._crop(outlined))
            if video.flows is not None:
                k = self._offset(i, count)
                colour = self._flow_image(video.flows.flows[i, k], float(video.flows.scale[k]))
                save_image(self.folder / f"input_flow_frame_{i:05d}.png", colour)
        self._wrote_inputs = True

    @torch.no_grad()
    def save(self, step: int, model: nn.Module, video: VideoTensors) -> list[Path]:
        """Generate the chosen frames with the current ``model`` and write them; returns the paths written.

        The model stays in training mode (BatchNorm uses the batch's statistics, as in inference).
        """
        count = len(video.frames)
        frames = self._frames_of(count)
        if not self._wrote_inputs:
            self._write_inputs(video, frames)
        device = next(model.parameters()).device
        written = []
        for i, generated, flows in iter_generated(model, video.noise, self.batch_frames, device, self.autocast, video.base, frames):
            stem = f"step_{step + 1:06d}_frame_{i:05d}"
            image = self._crop(to_uint8(generated[None].float().cpu())[0])
            written.append(save_image(self.folder / f"{stem}.png", image))
            if flows is not None and video.flows is not None:
                k = self._offset(i, count)
                scale = float(video.flows.scale[k])
                predicted = flows[2 * k : 2 * k + 2].float().cpu() * scale  # (12, H, W) -> (2, H, W) in px
                colour = self._flow_image(predicted, scale)
                written.append(save_image(self.folder / f"{stem}_flow.png", colour))
        return written

    def finish(self, result) -> list[Path]:
        """Write the final generated frames, ``loss.png`` and ``loss.csv`` of a finished run.

        Args:
            result: the :class:`~videofill.pipeline.InpaintResult` of the run this saver watched.

        Returns:
            the paths written.
        """
        written = []
        if result.generated is not None:
            for i in self._frames_of(len(result.generated)):
                written.append(save_image(self.folder / f"final_frame_{i:05d}.png", result.generated[i]))
        history = result.fit.history if result.fit is not None else {}
        if any(len(values) for values in history.values()):
            written.append(write_loss_csv(history, self.folder / "loss.csv"))
            try:
                written.append(loss_curve_png(history, self.folder / "loss.png"))
            except ValueError:  # no positive finite value to draw on a log scale
                pass
        return written


def write_loss_csv(history: dict[str, Sequence[float]], path: str | os.PathLike) -> Path:
    """The loss history as CSV: a ``step`` column (1-based steps done), then one column per loss term."""
    names = list(history)
    rows = max((len(history[name]) for name in names), default=0)
    path = Path(path)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", *names])
        for r in range(rows):
            writer.writerow([r + 1, *(f"{history[n][r]:.6g}" if r < len(history[n]) else "" for n in names)])
    return path
