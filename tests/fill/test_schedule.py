import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.fill.schedule import (
    Batch,
    consecutive_batches,
    flow_batches,
    planned_batches,
    step_plan,
    total_steps,
)


def test_sixty_frames_give_the_notes_288_batches():
    batches = flow_batches(60, 5, (1, 3, 5))
    assert len(batches) == (56 + 48 + 40) * 2
    assert len(set(batches)) == len(batches)


def test_batch_contents():
    batches = flow_batches(12, 5, (1, 3, 5))  # stride 3 needs 13 frames, stride 5 needs 21: only stride 1 fits
    assert len(batches) == 8 * 2
    assert batches[0] == Batch((0, 1, 2, 3, 4), 1, +1) and batches[1] == Batch((0, 1, 2, 3, 4), 1, -1)
    strided = flow_batches(13, 5, (3,))
    assert [b.frames for b in strided] == [(0, 3, 6, 9, 12)] * 2
    assert strided[0].flow_index == 2 and strided[1].flow_index == 3  # FLOW_OFFSETS (1, -1, 3, -3, 5, -5)


def test_consecutive_batches():
    batches = consecutive_batches(12, 5)
    assert len(batches) == 8 and batches[-1].frames == (7, 8, 9, 10, 11)


def test_short_video_is_a_clear_error():
    with pytest.raises(VideofillError, match="3 frame"):
        flow_batches(3, 5)


def test_planned_batches_epochs_and_fraction():
    batches = consecutive_batches(10, 5)  # 6 batches
    sequence = planned_batches(batches, 2.5, np.random.default_rng(0))
    assert len(sequence) == 6 + 6 + 3
    assert sorted(sequence[:6], key=lambda b: b.frames) == batches  # a full sweep visits every batch once
    steps = list(step_plan(sequence, 4, max_steps=10))
    assert [s for s, _ in steps] == list(range(10)) and steps[3][1] is steps[0][1] and steps[4][1] is sequence[1]
    assert total_steps(len(sequence), 4, None) == 60 and total_steps(len(sequence), 4, 10) == 10
