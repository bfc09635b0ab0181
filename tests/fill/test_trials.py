"""Trial holes: copies of a hole on known pixels, and the smooth fill chosen on them."""

import numpy as np

from videofill.fill.membrane import SMOOTHS
from videofill.fill.trials import choose_smooth, part_copies, trial_copies


def test_trial_copies_lie_beside_the_hole_on_usable_pixels():
    hole = np.zeros((40, 60), bool)
    hole[10:20, 25:35] = True
    usable = ~hole
    usable[:, :20] = False  # nothing on the left
    copies = trial_copies(hole, usable, patch=3, count=2)
    assert len(copies) == 2
    right, below = copies  # left lands on unusable pixels, above leaves the image
    expected_right = np.zeros_like(hole)
    expected_right[10:20, 38:48] = True  # moved by the hole's width + the patch
    expected_below = np.zeros_like(hole)
    expected_below[23:33, 25:35] = True
    assert np.array_equal(right, expected_right) and np.array_equal(below, expected_below)


def test_part_copies_keep_a_patch_from_the_hole_and_from_each_other():
    hole = np.zeros((60, 90), bool)
    hole[20:30, 20:30] = True
    hole[20:30, 36:40] = True  # a second part 6 px to the right: the first's right copy would cover it
    parts, copies = part_copies(hole, patch=5)
    assert len(parts) == 2 and all(len(found) == 2 for found in copies)
    taken = np.zeros_like(hole)
    for found in copies:
        for copy in found:
            grown = np.zeros_like(hole)
            ys, xs = np.nonzero(copy)
            grown[max(ys.min() - 2, 0) : ys.max() + 3, max(xs.min() - 2, 0) : xs.max() + 3] = True  # a 5 px patch
            assert not (grown & (hole | taken)).any()
            taken |= copy
    first_left, first_right = copies[0]
    assert first_left[20:30, 5:15].all() and first_left.sum() == 100  # left by width + patch
    assert not first_right[20:30, 35:45].all()  # not the right: it would lie on the second part


def _frames(picture, count=5):
    frames = np.repeat(picture[None], count, axis=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 24:40, 40:56] = True
    return frames, holes


def test_choose_smooth_takes_the_thin_plate_on_a_parabola_and_the_membrane_on_noise():
    xs = np.arange(96, dtype=np.float64)
    parabola = 40 + 0.02 * (xs - 30) ** 2  # the thin plate continues it exactly, the membrane sags
    picture = np.repeat(np.repeat(parabola[None, :, None], 64, axis=0), 3, axis=2).round().astype(np.uint8)
    assert choose_smooth(*_frames(picture)) == "thin plate"
    noise = np.random.default_rng(0).integers(0, 256, (64, 96, 3)).astype(np.uint8)  # the thin plate overshoots
    assert choose_smooth(*_frames(noise)) == "membrane"
    assert choose_smooth(*_frames(noise), names=("thin plate",)) == "thin plate"
    holes = np.ones((3, 64, 96), bool)
    holes[:, :2] = False  # no room for a copy: the first name
    assert choose_smooth(np.zeros((3, 64, 96, 3), np.uint8), holes) == SMOOTHS[0]
    assert choose_smooth(np.zeros((3, 64, 96, 3), np.uint8), np.ones((3, 64, 96), bool)) == SMOOTHS[0]  # all hole
    assert choose_smooth(np.zeros((3, 64, 96, 3), np.uint8), np.zeros((3, 64, 96), bool)) == SMOOTHS[0]  # no hole


def test_choose_smooth_measures_the_middles_of_equal_spans_of_the_frames_with_a_hole(monkeypatch):
    from videofill.fill import trials

    measured = []
    monkeypatch.setattr(trials, "part_copies", lambda hole: measured.append(int(hole.sum())) or ([], []))
    holes = np.zeros((10, 8, 8), bool)
    for t in range(10):
        holes[t, :1, :t + 1] = True  # frame t's hole has t + 1 pixels: which frames were measured shows
    holes[0] = True  # all hole: left out, as is a frame with no hole
    holes[9] = False
    choose_smooth(np.zeros((10, 8, 8, 3), np.uint8), holes)
    assert measured == [2 + 1, 5 + 1, 7 + 1]  # frames 1-8 in three spans: their middles are frames 2, 5 and 7
