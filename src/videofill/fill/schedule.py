"""The batch curriculum of section 3.2 and appendix C: which frames are trained on together, and in what order.

DIP-Vid-Flow: a batch is ``N`` frames ``start, start + t, ..., start + (N - 1) t`` for one stride ``t`` and ONE flow
direction; the list of every (start, t, direction) is shuffled each epoch, and ``M`` Adam steps are taken on each
batch. DIP-Vid and DIP-Vid-3DCN: batches of ``N`` consecutive frames, image loss only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from videofill.errors import VideofillError
from videofill.fill.flow import FLOW_OFFSETS


@dataclass(frozen=True)
class Batch:
    """One training batch.

    Attributes:
        frames: frame indices, increasing.
        stride: the frame interval t between consecutive entries.
        direction: +1 trains the forward flows (i -> i + t), -1 the backward ones, 0 no flow (image loss only).
    """

    frames: tuple[int, ...]
    stride: int = 1
    direction: int = 0

    @property
    def flow_index(self) -> int:
        """Index into ``FLOW_OFFSETS`` (and the flow head's channel pairs) of this batch's flow."""
        return FLOW_OFFSETS.index(self.direction * self.stride)


def check_length(frame_count: int, batch_frames: int) -> None:
    """Raise VideofillError when the video is too short for one batch."""
    if frame_count < batch_frames:
        raise VideofillError(
            f"the video has {frame_count} frame(s) but a batch needs {batch_frames}; use a longer clip or a smaller batch"
        )


def flow_batches(frame_count: int, batch_frames: int = 5, strides: Sequence[int] = (1, 3, 5)) -> list[Batch]:
    """Every DIP-Vid-Flow batch of a video: all (start, stride, direction) that fit, in a fixed order.

    For 60 frames, N = 5 and strides 1, 3, 5 that is (56 + 48 + 40) x 2 = 288 batches. Strides that do not fit in the
    video are skipped; a video shorter than one batch raises VideofillError.
    """
    check_length(frame_count, batch_frames)
    batches = []
    for stride in strides:
        span = (batch_frames - 1) * stride
        for start in range(frame_count - span):
            frames = tuple(range(start, start + span + 1, stride))
            batches += [Batch(frames, stride, +1), Batch(frames, stride, -1)]
    return batches


def consecutive_batches(frame_count: int, batch_frames: int = 5) -> list[Batch]:
    """Every batch of ``batch_frames`` consecutive frames (DIP-Vid, DIP-Vid-3DCN): ``T - N + 1`` of them."""
    check_length(frame_count, batch_frames)
    return [Batch(tuple(range(start, start + batch_frames))) for start in range(frame_count - batch_frames + 1)]


def planned_batches(batches: Sequence[Batch], epochs: float, rng: np.random.Generator) -> list[Batch]:
    """The whole run's batch sequence: ``ceil(epochs)`` shuffled sweeps, the last one cut to the epoch fraction."""
    sequence: list[Batch] = []
    full, fraction = int(math.floor(epochs)), epochs - math.floor(epochs)
    for _ in range(full):
        sequence += [batches[i] for i in rng.permutation(len(batches))]
    if fraction > 0:
        order = rng.permutation(len(batches))[: max(1, round(fraction * len(batches)))]
        sequence += [batches[i] for i in order]
    return sequence


def step_plan(sequence: Sequence[Batch], steps_per_batch: int, max_steps: int | None) -> Iterator[tuple[int, Batch]]:
    """(global step, batch) for every step of the run, M steps per batch, stopping at ``max_steps``."""
    step = 0
    for batch in sequence:
        for _ in range(steps_per_batch):
            if max_steps is not None and step >= max_steps:
                return
            yield step, batch
            step += 1


def total_steps(sequence_length: int, steps_per_batch: int, max_steps: int | None) -> int:
    """Number of steps :func:`step_plan` yields."""
    steps = sequence_length * steps_per_batch
    return steps if max_steps is None else min(steps, max_steps)
