"""Is the default preset fast and good? (issue 5): wall time, memory and quality on the composed cases.

Four parts, each optional:

1. ``default``: ``videofill inpaint`` with the default preset run as a separate process on each composed case,
   everything included (decoding the frames, flow, propagation, training, writing). Wall time and peak resident
   memory (``os.wait4``) of that process; the output is a PNG folder (lossless) so the scores are of the method,
   not of a video codec. Scores against the ground truth beside the OpenCV Telea frame-wise fill.
2. ``levers``: the default preset with one setting changed at a time, run in this process, to show what each lever
   of the default buys (time and quality), including those that did not pay.
3. ``paper``: the ``paper`` preset given ``--paper-factor`` (10) times the default's wall time on each case. Its
   budget is converted to steps with a short calibration of the paper preset's step time, so the comparison holds
   even when the machine is shared.
4. ``pairings``: a check that the default was not fitted to the composed cases' particular pairs: new composed cases
   made with ``videofill.eval.compose`` from the frames of each shared case (the object-removal clips' too, objects
   and all) under the masks of the next case in name order; the default preset beside Telea.

Run from the repository root:
    .venv/bin/python benchmarks/speed.py                 # all four parts, every composed case
    .venv/bin/python benchmarks/speed.py --parts default --cases kite
Writes benchmarks/results/speed_default.md, speed_levers.md, speed_paper.md, speed_pairings.md and a .csv beside each.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    CONVENTIONS,
    RESULTS,
    command_line,
    composed_cases,
    find_data,
    load_case,
    mean_row,
    run_case,
    score,
    write_table,
)

from videofill.config import get_preset
from videofill.eval.compose import compose_case
from videofill.fill.propagate import telea_fill
from videofill.io.video import read_frames

# Each lever: (name, what it is, settings laid over the default preset).
LEVERS = [
    ("default", "the default preset as shipped: two propagation passes (median of the copies and the spatial fill), no training", {}),
    ("one propagation pass", "the flows are not estimated again on the filled video", dict(propagation_passes=1)),
    ("+ network correction, 150 steps", "DIP-Vid-Flow trained 150 steps to correct the propagated start (4 losses + L_g)", dict(max_steps=150)),
    ("guide as target only, 150 steps", "propagation only as an extra loss target (trusted pixels); the network generates from noise", dict(max_steps=150, guide_start=False, guide_output=True)),
    ("plain DIP-Vid-Flow, 150 steps", "no propagation: the paper's losses and curriculum, bf16 + channels_last, 150 steps", dict(max_steps=150, guide_start=False, weight_guide=0.0)),
    ("no feather", "the default without matching the fill's colour to the hole's edge (3 px in the default)", dict(feather=0)),
]
# The pairings report describes its own cases in place of the shared description's first item.
PAIRED_CASES_FROM = CONVENTIONS.split("\n- Scores")[0]
PAIRINGS_CASES = (
    "- Cases: new composed cases made by `videofill.eval.compose` (`pairings` in speed.py): the frames of each shared case\n"
    "  except `tiny_*` (the object-removal clips' frames included, objects and all: they are the ground truth here),\n"
    "  in name order, under the masks of the next case (the last under the first's), cut to the shorter length,\n"
    "  masks resized to the frames with nearest neighbour and not dilated."
)
SCORE_KEYS = ["psnr", "ssim", "psnr_hole", "ssim_hole", "consistency_psnr", "consistency_ssim", "fid"]


def run_cli(case: Path, out: Path, preset: str, dilate: int | None = None) -> tuple[float, float]:
    """Run ``videofill inpaint`` on a case in its own process (``--dilate`` when given). Returns (wall seconds, peak
    resident MB)."""
    command = [sys.executable, "-m", "videofill.cli", "inpaint", str(case / "frames"), str(case / "masks"), "-o", str(out), "--preset", preset, "--quiet"]
    command += [] if dilate is None else ["--dilate", str(dilate)]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"error: {' '.join(command)} exited with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024.0


def part_default(cases: list[Path], dilate: int | None = None) -> tuple[list[dict], dict[str, float]]:
    rows, seconds = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            frames, holes = load_case(case)
            wall, peak = run_cli(case, Path(tmp) / case.name, "default", dilate)
            result = read_frames(Path(tmp) / case.name)
            ours, telea = score(result, frames, holes), score(telea_fill(frames, holes), frames, holes)
            seconds[case.name] = wall
            size = f"{frames.shape[2]}x{frames.shape[1]}x{len(frames)}"
            rows.append(dict(case=case.name, size=size, method="default", seconds=wall, peak_mb=round(peak), **{k: ours[k] for k in SCORE_KEYS}))
            rows.append(dict(case=case.name, size=size, method="telea", seconds=None, peak_mb=None, **{k: telea[k] for k in SCORE_KEYS}))
            print(f"{case.name}: default {wall:.1f} s, {peak:.0f} MB, PSNR {ours['psnr']:.2f} (Telea {telea['psnr']:.2f})", flush=True)
    for method in ("default", "telea"):
        subset = [r for r in rows if r["method"] == method]
        rows.append(mean_row(subset, ["seconds", "peak_mb", *SCORE_KEYS], case="mean", size="", method=method))
    return rows, seconds


def _lever_config(overrides):
    return get_preset("default").replace(**overrides)


def part_levers(cases: list[Path]) -> list[dict]:
    rows = []
    for name, meaning, overrides in LEVERS:
        per_case = []
        for case in cases:
            frames, holes = load_case(case)
            result, seconds, _ = run_case(frames, holes, _lever_config(overrides))
            per_case.append(dict(seconds=seconds, **{k: v for k, v in score(result, frames, holes).items() if k in SCORE_KEYS}))
            print(f"lever {name!r} on {case.name}: {seconds:.1f} s, PSNR {per_case[-1]['psnr']:.2f}", flush=True)
        rows.append(mean_row(per_case, ["seconds", *SCORE_KEYS], lever=name, meaning=meaning))
    return rows


def part_paper(cases: list[Path], default_seconds: dict[str, float], factor: float) -> list[dict]:
    rows = []
    for case in cases:
        frames, holes = load_case(case)
        paper = get_preset("paper")
        _, calibration_seconds, calibration = run_case(frames, holes, paper.replace(max_steps=4))
        per_step = calibration.fit.seconds / max(1, calibration.fit.steps)
        fixed = calibration_seconds - calibration.fit.seconds
        budget = factor * default_seconds[case.name]
        steps = max(1, int((budget - fixed) / per_step))
        result, seconds, _ = run_case(frames, holes, paper.replace(max_steps=steps))
        ours = score(result, frames, holes)
        rows.append(dict(case=case.name, budget_s=budget, steps=steps, seconds=seconds, **{k: ours[k] for k in SCORE_KEYS}))
        print(f"paper on {case.name}: {steps} steps ({per_step:.2f} s/step), PSNR {ours['psnr']:.2f}", flush=True)
    rows.append(mean_row(rows, ["budget_s", "steps", "seconds", *SCORE_KEYS], case="mean"))
    return rows


def pairings(data: Path) -> list[tuple[Path, Path]]:
    """(frames case, masks case): every case with frames of its own except ``tiny_*``, in name order, each under the
    masks of the next one (the last under the first's)."""
    folders = sorted(p for p in data.iterdir() if (p / "frames").is_dir() and not p.name.startswith("tiny_"))
    return [(folders[i], folders[(i + 1) % len(folders)]) for i in range(len(folders))]


def part_pairings(data: Path, dilate: int | None = None) -> list[dict]:
    rows = []
    config = get_preset("default")
    if dilate is not None:
        config = config.replace(dilate=dilate, dilate_side=None)
    with tempfile.TemporaryDirectory() as tmp:
        for background, masks in pairings(data):
            name = f"{background.name} under {masks.name}'s masks"
            case = compose_case(background / "frames", masks / "masks", Path(tmp) / f"{background.name}__{masks.name}")
            frames, holes = load_case(case)
            result, seconds, _ = run_case(frames, holes, config)
            ours, telea = score(result, frames, holes), score(telea_fill(frames, holes), frames, holes)
            size = f"{frames.shape[2]}x{frames.shape[1]}x{len(frames)}"
            rows.append(dict(case=name, size=size, method="default", seconds=seconds, **{k: ours[k] for k in SCORE_KEYS}))
            rows.append(dict(case=name, size=size, method="telea", seconds=None, **{k: telea[k] for k in SCORE_KEYS}))
            print(f"{name}: default PSNR {ours['psnr']:.2f} (Telea {telea['psnr']:.2f})", flush=True)
    for method in ("default", "telea"):
        subset = [r for r in rows if r["method"] == method]
        rows.append(mean_row(subset, ["seconds", *SCORE_KEYS], case="mean", size="", method=method))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="shared data folder (default: found like the tests do)")
    parser.add_argument("--cases", nargs="*", default=None, help="substrings of case names (default: every composed case)")
    parser.add_argument("--parts", nargs="*", default=["default", "levers", "paper", "pairings"], choices=["default", "levers", "paper", "pairings"])
    parser.add_argument("--paper-factor", type=float, default=10.0, help="the paper preset's budget, in default wall times")
    parser.add_argument("--out", default=str(RESULTS / "speed"), help="report path without extension")
    parser.add_argument("--dilate", type=int, default=None, help="default and pairings parts: grow holes by N px (the composed cases' masks are exact: 0 scores the method alone; default: the preset's)")
    args = parser.parse_args()
    data = find_data(args.data)
    cases = composed_cases(data, args.cases)
    out = Path(args.out)
    command = command_line()
    header = (
        f"Machine: {os.cpu_count()} CPU threads visible, torch {torch.__version__} with {torch.get_num_threads()} threads, "
        f"CUDA {'available' if torch.cuda.is_available() else 'not available'}.\n\n{CONVENTIONS}"
    )
    default_seconds = None
    if "default" in args.parts:
        rows, default_seconds = part_default(cases, args.dilate)
        write_table(rows, out.with_name(out.name + "_default.md"), out.with_name(out.name + "_default.csv"),
                    "Default preset: wall time of `videofill inpaint`, peak memory, quality", command, header)
    if "levers" in args.parts:
        rows = part_levers(cases)
        write_table(rows, out.with_name(out.name + "_levers.md"), out.with_name(out.name + "_levers.csv"),
                    "Levers of the default preset (means over the cases; run in one process)", command, header)
    if "paper" in args.parts:
        if default_seconds is None:
            sys.exit("error: the paper part needs the default part's wall times (add 'default' to --parts)")
        rows = part_paper(cases, default_seconds, args.paper_factor)
        write_table(rows, out.with_name(out.name + "_paper.md"), out.with_name(out.name + "_paper.csv"),
                    f"The paper preset given {args.paper_factor:g}x the default's wall time", command, header)
    if "pairings" in args.parts:
        rows = part_pairings(data, args.dilate)
        pairing_header = header.replace(PAIRED_CASES_FROM, PAIRINGS_CASES)
        write_table(rows, out.with_name(out.name + "_pairings.md"), out.with_name(out.name + "_pairings.csv"),
                    "Default preset on new pairings of the shared frames and masks (not the shipped composed cases)",
                    command, pairing_header)


if __name__ == "__main__":
    main()
