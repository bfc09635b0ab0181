"""The paper's ablation (section 4.1, Table 1) at equal time: DIP, DIP-Vid, DIP-Vid-3DCN, DIP-Vid-Flow.

Every method gets the same time budget per case (``--seconds`` of wall time, or of CPU time with ``--clock cpu``). The budget becomes a step count: a short
calibration run (``--calibration-steps`` steps) measures the method's time per step and its fixed cost (flows,
generation, compositing), and the run gets ``(budget - fixed cost) / time per step`` steps; DIP spreads its steps
over the frames (``dip_steps`` per frame, a candidate every ``dip_keep_every`` steps in the preset's proportion).
Everything else is the preset's (``--preset``, default ``paper``; ``--bf16`` switches on bf16 autocast and channels_last). Usage, from the repository root:

    .venv/bin/python benchmarks/ablation.py [--seconds 150] [--cases NAME ...] [--preset paper] [--bf16] [--out DIR]
        [--steps-per-batch M] [--device auto|cpu|cuda] [--clock wall|cpu]

Table 1 with every frame trained (README "Reproducing the paper"): a small M, ``--steps-per-batch 5`` (the earlier
run: ``--bf16 --seconds 60 --steps-per-batch 5 --out benchmarks/results/ablation_m5``); on a CPU shared with other
jobs add ``--clock cpu`` (budgets in this process's CPU seconds), and leave ``--bf16`` out on CPUs without AVX-512
BF16, where it is 5-7x slower than fp32. At the paper's scale on a GPU: ``--device cuda --bf16 --seconds 3600``
(M = 100, the preset's).

writes ``ablation.md``, ``ablation.csv`` and one figure per case, ``ablation_<case>.png`` (the same frame from each
method beside the ground truth, and a temporal slice), to ``benchmarks/results`` (or ``--out``). A text in
``--discussion`` (default ``benchmarks/ablation_discussion.md``, when it exists) is copied to the end of the report.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from common import (
    CONVENTIONS,
    METRICS,
    RESULTS,
    command_line,
    composed_cases,
    find_data,
    load_case,
    mean_row,
    run_case,
    score,
    write_table,
)  # fmt: skip

from videofill.config import METHODS, InpaintConfig, get_preset
from videofill.fill.methods import training_plan
from videofill.viz import comparison_figure, outline_holes, save_image, temporal_slice_figure

#: The paper's Table 1 (its Composed dataset, 384x192, full training), for reference.
PAPER_TABLE1 = {
    "dip": {"fid": 22.3, "consistency_psnr": 18.8, "consistency_ssim": 0.532, "psnr": 25.2, "ssim": 0.926},
    "dip-vid": {"fid": 16.1, "consistency_psnr": 23.6, "consistency_ssim": 0.768, "psnr": 28.7, "ssim": 0.956},
    "dip-vid-3dcn": {"fid": 12.1, "consistency_psnr": 26.7, "consistency_ssim": 0.871, "psnr": 30.9, "ssim": 0.966},
    "dip-vid-flow": {"fid": 10.4, "consistency_psnr": 28.1, "consistency_ssim": 0.895, "psnr": 32.1, "ssim": 0.969},
}
LOWER_IS_BETTER = {"fid"}
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def calibrate(
    frames: np.ndarray, holes: np.ndarray, config: InpaintConfig, steps: int, clock=time.perf_counter
) -> tuple[float, float]:
    """(seconds per training step, fixed seconds of a run besides its steps), from a ``steps``-step run, on ``clock``
    (``time.perf_counter``: wall time; ``time.process_time``: this process's CPU time, which other jobs on a shared
    machine do not inflate).

    For the one-network methods the step time is the median time between the ends of consecutive steps, so the
    first step's warm-up counts as fixed cost; DIP (``steps`` per frame) is timed over all its steps.
    """
    if config.method == "dip":
        config = config.replace(dip_steps=steps, max_steps=steps)
        started = clock()
        _, wall, result = run_case(frames, holes, config)
        total = clock() - started
        per_step = result.fit.seconds / result.fit.steps * (total / wall)  # fit.seconds is wall time
        return per_step, total - per_step * result.fit.steps
    steps = max(steps, 2)
    stamps: list[float] = []  # the clock at the end of each step

    def on_step(*_) -> None:
        stamps.append(clock())

    started = clock()
    run_case(frames, holes, config.replace(max_steps=steps), on_step=on_step)
    total = clock() - started
    per_step = float(np.median(np.diff(stamps)))  # the median resists other processes' bursts on a shared machine
    return per_step, total - per_step * len(stamps)


def budget_config(config: InpaintConfig, frame_count: int, seconds: float, per_step: float, fixed: float) -> InpaintConfig:
    """``config`` with as many steps as fit in ``seconds`` of wall time (at least one)."""
    steps = max(1, math.floor((seconds - fixed) / per_step))
    if config.method == "dip":
        per_frame = max(1, steps // frame_count)
        keep = max(1, round(per_frame * config.dip_keep_every / config.dip_steps))
        return config.replace(dip_steps=per_frame, max_steps=per_frame, dip_keep_every=keep)
    batches, _ = training_plan(config, frame_count)
    per_epoch = len(batches) * config.steps_per_batch
    return config.replace(max_steps=steps, epochs=max(config.epochs, float(math.ceil(steps / per_epoch))))


def case_figure(frames: np.ndarray, holes: np.ndarray, results: dict[str, np.ndarray]) -> np.ndarray:
    """The middle frame from each method beside the input and the ground truth, above temporal slices through the
    row with the most hole pixels."""
    t = len(frames) // 2
    row = int(np.argmax(holes.sum(axis=(0, 2))))
    masked = frames[t].copy()
    masked[holes[t]] = 128  # the hole, grey
    panels = {"input": outline_holes(masked, holes[t]), **{m: r[t] for m, r in results.items()}}
    panels["ground truth"] = frames[t]
    slices = temporal_slice_figure({"ground truth": frames, **results}, row, holes=holes)
    return comparison_figure({f"frame {t}": comparison_figure(panels), f"temporal slice, row {row}": slices}, columns=1)


def _rank(values: dict[str, float | None], metric: str) -> list[str] | None:
    """Methods best first, or None when a value is missing."""
    if any(v is None for v in values.values()):
        return None
    return sorted(values, key=lambda m: values[m], reverse=metric not in LOWER_IS_BETTER)


def _holds(values: dict[str, float | None], metric: str) -> bool | None:
    """Whether the values improve strictly along the paper's order (the order of ``values``)."""
    numbers = list(values.values())
    if any(v is None for v in numbers):
        return None
    sign = -1 if metric in LOWER_IS_BETTER else 1
    return all(sign * (b - a) > 0 for a, b in zip(numbers, numbers[1:]))


def ordering_section(rows: list[dict], means: list[dict], methods: list[str]) -> str:
    """Markdown: for each metric, whether the measured means follow the paper's order, and in how many cases."""
    order = " < ".join(methods)
    lines = [
        "## Against the paper's Table 1",
        "",
        f"The paper's Table 1 orders the methods {order} on every metric (higher PSNR/SSIM, lower FID is better).",
        "Measured here (means over the cases above; \"cases\" counts the cases whose four values follow that order):",
        "",
        f"| metric | paper: {' / '.join(methods)} | measured: {' / '.join(methods)} | order holds (mean) "
        "| measured, best first | cases |",
        "|---|---|---|---|---|---|",
    ]
    cases = sorted({row["case"] for row in rows})
    by_method = {m["method"]: m for m in means}
    for metric in ["psnr", "ssim", "psnr_hole", "ssim_hole", "consistency_psnr", "consistency_ssim", "fid"]:
        paper = " / ".join(f"{PAPER_TABLE1[m][metric]:g}" if metric in PAPER_TABLE1[m] else "-" for m in methods)
        values = {m: by_method[m][metric] for m in methods}
        digits = 4 if "ssim" in metric else 2
        measured = " / ".join("n/a" if v is None else f"{v:.{digits}f}" for v in values.values())
        holds = _holds(values, metric)
        rank = _rank(values, metric)
        count = [
            _holds({m: next(r[metric] for r in rows if r["case"] == c and r["method"] == m) for m in methods}, metric)
            for c in cases
        ]
        cases_text = "n/a" if None in count else f"{sum(count)}/{len(cases)}"
        lines.append(
            f"| {metric} | {paper} | {measured} | {'n/a' if holds is None else ('yes' if holds else 'no')} | "
            f"{'n/a' if rank is None else ' > '.join(rank)} | {cases_text} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="shared data folder (default: found as the tests find it)")
    parser.add_argument("--cases", nargs="*", default=None, help="case names or parts of names (default: every composed_*)")
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS, help="methods, in the paper's order")
    parser.add_argument("--seconds", type=float, default=150.0, help="wall-time budget per method per case")
    parser.add_argument("--preset", default="paper", help="settings preset the methods run with (test: smoke test)")
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast + channels_last (compute settings only)")
    parser.add_argument("--steps-per-batch", type=int, default=None, help="M for the video methods (default: the preset's; "
                        "the paper's 100 spends a short budget on one or two batches)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                        help="where the networks train (auto: CUDA when present); on a GPU give --seconds in the thousands")
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"],
                        help="what --seconds counts: wall time, or this process's CPU time (fair on a shared machine)")
    parser.add_argument("--calibration-steps", type=int, default=5, help="steps of the timing run before each method")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for ablation.md, ablation.csv and the figures")
    parser.add_argument(
        "--discussion", type=Path, default=RESULTS.parent / "ablation_discussion.md",
        help="Markdown appended to the report when it exists (the lead's reading of the numbers survives a rerun)",
    )
    args = parser.parse_args()
    methods = [m for m in METHODS if m in args.methods]

    rows = []
    for case in composed_cases(find_data(args.data), args.cases):
        frames, holes = load_case(case)
        results = {}
        for method in methods:
            config = get_preset(args.preset).replace(method=method, device=args.device)
            if args.bf16:
                config = config.replace(bf16=True, channels_last=True)
            config = config.replace(steps_per_batch=args.steps_per_batch)
            per_step, fixed = calibrate(frames, holes, config, args.calibration_steps, CLOCKS[args.clock])
            config = budget_config(config, len(frames), args.seconds, per_step, fixed)
            cpu_started = time.process_time()
            results[method], seconds, result = run_case(frames, holes, config)
            cpu = time.process_time() - cpu_started
            report = score(results[method], frames, holes)
            metrics = {k: report[k] for k in METRICS}
            rows.append({"case": case.name, "method": method, **metrics, "seconds": seconds, "cpu_s": cpu,
                         "steps": result.fit.steps})
            print(
                f"{case.name} {method}: {result.fit.steps} steps in {seconds:.1f} s (calibrated {per_step:.3f} s/step "
                f"+ {fixed:.1f} s fixed), PSNR {report['psnr']:.2f} dB, hole PSNR {report['psnr_hole']:.2f} dB",
                flush=True,
            )
            fid_note = report["fid_note"]
        save_image(args.out / f"ablation_{case.name}.png", case_figure(frames, holes, results))
    keys = [*METRICS, "seconds", "cpu_s", "steps"]
    means = [mean_row([r for r in rows if r["method"] == m], keys, case="mean", method=m) for m in methods]
    notes = [
        f"Each method had {args.seconds:g} s of {args.clock} time per case (preset `{args.preset}`, calibration "
        f"{args.calibration_steps} steps); `seconds` is the measured wall time of the run (flows, training, "
        "generation, compositing), `CPU s` its CPU time, `steps` its training steps (DIP: all frames together).",
        "",
        ordering_section(rows, means, methods),
        "",
        "Figures: `ablation_<case>.png`, the middle frame from each method beside the input and the ground truth, "
        "and temporal slices (paper Fig. 5) through the row with the most hole pixels.",
        "",
        "## Conventions",
        "",
        CONVENTIONS,
        "",
        f"FID: {fid_note or 'computed'}.",
    ]
    if args.discussion.is_file():
        notes += ["", args.discussion.read_text()]
    title = f"Ablation at equal {args.clock} time ({args.seconds:g} s per method per case)"
    write_table(rows + means, args.out / "ablation.md", args.out / "ablation.csv", title, command_line(), "\n".join(notes))
    print(f"wrote {args.out / 'ablation.md'}, {args.out / 'ablation.csv'} and {len({r['case'] for r in rows})} figure(s)")


if __name__ == "__main__":
    main()
