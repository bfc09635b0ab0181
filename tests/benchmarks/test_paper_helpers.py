"""The numerical helpers of the paper's analysis scripts, against values computed by hand."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from paper_complexity import split_table  # noqa: E402
from paper_window_length import clip_config, non_hole_scores  # noqa: E402

from videofill.config import get_preset  # noqa: E402


def test_clip_config_gives_every_window_the_same_work_per_frame():
    base = get_preset("paper")
    single = clip_config(base, 1, 20)
    assert (single.method, single.batch_frames, single.max_steps) == ("dip-vid", 1, 20)
    pair = clip_config(base, 2, 20)  # 2 frames, batches of 2: 20 steps see each frame 20 times
    assert (pair.method, pair.batch_frames, pair.strides, pair.max_steps) == ("dip-vid-flow", 2, (1,), 20)
    ten = clip_config(base, 10, 20)  # batches of 5: 40 steps, 200 frame visits over 10 frames
    assert (ten.batch_frames, ten.strides, ten.max_steps) == (5, (1,), 40)
    long = clip_config(base, 25, 20)  # stride 5 spans 21 frames: fits in 25
    assert long.strides == (1, 3, 5) and long.max_steps == 100


def test_non_hole_scores_ignore_the_holes():
    truth = np.full((2, 4, 4, 3), 100, np.uint8)
    raw = truth.copy()
    raw[:, :2] = 110  # error 10 on the top half
    holes = np.zeros((2, 4, 4), bool)
    holes[:, :2] = True  # ... which is the hole
    psnr_known, ssim_known = non_hole_scores(raw, truth, holes)
    assert psnr_known == np.inf and ssim_known == pytest.approx(1.0)
    holes[:, :1] = False  # row 0 is known now: errors of 10 on 4 of the 12 known pixels of a frame, MSE 100 / 3
    psnr_known, _ = non_hole_scores(raw, truth, holes)
    assert psnr_known == pytest.approx(10 * np.log10(255**2 / (100 / 3)))


def test_split_table_halves_by_complexity():
    rows = [
        {"case": c, "complexity": x, "method": "m", "psnr": p, "ssim": 0.9, "psnr_hole": p - 10}
        for c, x, p in [("a", 3.0, 30.0), ("b", 1.0, 20.0), ("c", 2.0, 26.0), ("d", 4.0, 34.0)]
    ]
    table = split_table(rows, ["m"])
    # all: mean 27.5; simple half (b, c): 23.0; complex half (a, d): 32.0
    assert "| m | 27.50 / 0.9000 / 17.50 | 23.00 / 0.9000 / 13.00 | 32.00 / 0.9000 / 22.00 |" in table
    assert "Simple half: b, c. Complex half: a, d." in table
