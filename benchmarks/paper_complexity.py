"""The paper's complexity split (section 4.2, Table 2's Complex / Simple columns, Fig. 7): scores against the video
complexity metric.

Cases: every shared composed case (``composed_*``) and extra ones composed here from the shared mask-tracking clips
(``vos/``: one clip's frames under another clip's object masks, written to ``--compose-dir``, outside the repository).
Each case's complexity is :func:`videofill.eval.metrics.complexity` of its ground truth at the paper's working size
(appearance term: std over frames of the mean grey level; motion term: mean flow-gradient magnitude). Methods: the
paper's four (the ``paper`` preset at an equal time budget, as ``benchmarks/ablation.py`` runs them) and
``propagation``, the ``default`` preset's classical flow-guided propagation, which stands where the paper has Huang et
al. [16] (the flow-based method Fig. 7 compares with). Scores already measured can be read from an ablation CSV
(``--scores``) instead of run again: give the settings that CSV was made with.

Usage, from the repository root:

    python benchmarks/paper_complexity.py --scores benchmarks/results/ablation_m5/ablation.csv \\
        --seconds 60 --steps-per-batch 5 --clock cpu --extra 1     # CPU: reuse the M = 5 table, run what is missing
    python benchmarks/paper_complexity.py --device cuda --bf16 --seconds 3600 --steps-per-batch 100 --extra 4

Writes ``paper_complexity.md``, ``.csv`` and ``paper_complexity.png`` (Fig. 7: mean score of the cases whose
complexity is at least x, and each case's score against its complexity) to ``benchmarks/results`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
from ablation import CLOCKS, budget_config, calibrate
from common import (
    add_compute_arguments,
    command_line,
    composed_cases,
    cpu_seconds,
    find_data,
    load_case,
    machine_line,
    mean_row,
    resize_case,
    run_case,
    score,
    write_table,
)  # fmt: skip
from plots import line_plot, stack

from videofill.config import METHODS, get_preset
from videofill.eval.compose import compose_case
from videofill.eval.metrics import complexity
from videofill.viz import save_image

#: (background clip, mask clip) of the extra composed cases, from the shared data's vos/ clips; backgrounds that no
#: shared composed case uses, masks of another clip.
EXTRA_PAIRS = (
    ("drift-straight", "kite-surf"),
    ("car-shadow", "blackswan"),
    ("blackswan", "car-shadow"),
    ("bmx-trees", "drift-straight"),
)
EXTRA_FRAMES = 30  # frames of an extra case (the shared composed cases have 30)
EXTRA_SIZE = (432, 240)  # (W, H) of an extra case, as the shared cases' 432 px long side
PAPER_TABLE2 = (
    "All 32.1/.969, Complex 31.9/.970, Simple 32.2/.968 (ours); Huang et al.: 32.3/.971, 31.6/.968, 33.0/.974"
)
SCORES = ["psnr", "ssim", "psnr_hole", "consistency_psnr"]


def extra_cases(data: Path, out: Path, count: int) -> list[Path]:
    """The first ``count`` of :data:`EXTRA_PAIRS` composed into ``out`` (kept between runs)."""
    cases = []
    for background, masks in EXTRA_PAIRS[:count]:
        case = out / f"composed_{background}_x_{masks}"
        if not (case / "manifest.json").is_file():
            compose_case(
                data / "vos" / background / "frames",
                data / "vos" / masks / "masks",
                case,
                frame_count=EXTRA_FRAMES,
                size=EXTRA_SIZE,
                overwrite=True,
            )
        cases.append(case)
    return cases


def complexity_terms(frames: np.ndarray, size: tuple[int, int]) -> tuple[float, float, float]:
    """(complexity, appearance term, motion term) of a video resized to ``size`` (W, H)."""
    small, _ = resize_case(frames, np.zeros(frames.shape[:3], bool), size)
    total = complexity(small)
    appearance = float(np.std(small.reshape(len(small), -1).mean(axis=1, dtype=np.float64)))
    return total, appearance, total - appearance


def read_scores(path: Path | None) -> dict[tuple[str, str], dict]:
    """(case, method) -> row of an ablation CSV (numbers as floats), or {} without one."""
    if path is None:
        return {}
    with path.open() as handle:
        return {
            (r["case"], r["method"]): {k: _number(v) for k, v in r.items() if k not in ("case", "method")}
            for r in csv.DictReader(handle)
        }


def _number(text: str) -> float | str | None:
    """A CSV cell as a float, None when empty, else the text."""
    try:
        return float(text) if text else None
    except ValueError:
        return text


def run_method(frames, holes, method: str, args) -> dict:
    """Scores of one method on one case, run now (the paper's four at the time budget; propagation as it is)."""
    if method == "propagation":
        config = get_preset("default").replace(device=args.device)
    else:
        config = get_preset(args.preset).replace(
            method=method,
            device=args.device,
            bf16=args.bf16,
            channels_last=args.bf16,
            steps_per_batch=args.steps_per_batch,
        )
        per_step, fixed = calibrate(frames, holes, config, 5, CLOCKS[args.clock])
        config = budget_config(config, len(frames), args.seconds, per_step, fixed)
    cpu = time.process_time()
    result, seconds, _ = run_case(frames, holes, config)
    report = score(result, frames, holes)
    return {k: report[k] for k in SCORES} | {"seconds": seconds, "cpu_s": time.process_time() - cpu}


def split_table(rows: list[dict], methods: list[str]) -> str:
    """Markdown: each method's mean scores over all cases and the easy and hard halves (split at the median), over the
    cases where every method in ``methods`` has a score."""
    scored = [r for r in rows if r.get("psnr") is not None]
    common = [
        c
        for c in dict.fromkeys(r["case"] for r in rows)
        if all(any(r["case"] == c and r["method"] == m for r in scored) for m in methods)
    ]
    cases = sorted({r["case"]: r["complexity"] for r in rows if r["case"] in common}.items(), key=lambda item: item[1])
    half = len(cases) // 2
    parts = {
        "all": [c for c, _ in cases],
        "simple (lower half)": [c for c, _ in cases[:half]],
        "complex (upper half)": [c for c, _ in cases[len(cases) - half :]],
    }
    lines = [
        "| method | " + " | ".join(f"{p}: PSNR / SSIM / hole PSNR" for p in parts) + " |",
        "|---|" + "---|" * len(parts),
    ]
    for method in methods:
        cells = []
        for names in parts.values():
            mine = [r for r in rows if r["method"] == method and r["case"] in names and r.get("psnr") is not None]
            if not mine or len(mine) < len(names):
                cells.append(f"n/a ({len(mine)}/{len(names)} cases)")
                continue
            cells.append(
                " / ".join(
                    f"{np.mean([r[k] for r in mine]):{f}}"
                    for k, f in (("psnr", ".2f"), ("ssim", ".4f"), ("psnr_hole", ".2f"))
                )
            )
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    simple = ", ".join(c.replace("composed_", "") for c, _ in cases[:half])
    complex_ = ", ".join(c.replace("composed_", "") for c, _ in cases[len(cases) - half :])
    return "\n".join(
        lines
        + [
            "",
            f"Simple half: {simple}. Complex half: {complex_}."
            + (" The median case is in neither half." if len(cases) % 2 else ""),
        ]
    )


def extended_splits(rows: list[dict], methods: list[str]) -> list[str]:
    """Markdown lines: the split of each method that has scores on more cases than every method shares."""
    counts = {m: sum(1 for r in rows if r["method"] == m and r.get("psnr") is not None) for m in methods}
    shared = min(counts.values(), default=0)
    wider = [m for m in methods if counts[m] > shared]
    if not wider:
        return []
    return [
        "The same over every case a method has a score for (methods with more cases than the table above):",
        "",
        *[split_table(rows, [m]) + "\n" for m in wider],
    ]


def figure(rows: list[dict], methods: list[str]) -> np.ndarray:
    """Fig. 7 (mean score of the cases with complexity >= x) for PSNR and hole PSNR, and the per-case scatter."""
    panels = []
    for key, label in (("psnr", "PSNR (dB)"), ("psnr_hole", "hole PSNR (dB)")):
        series = {}
        for method in methods:
            mine = sorted((r["complexity"], r[key]) for r in rows if r["method"] == method and r.get(key) is not None)
            xs = [c for c, _ in mine]
            series[method] = (xs, [np.mean([v for c, v in mine if c >= x]) for x in xs])
        panels.append(line_plot(series, f"Fig. 7: mean {label} of cases with complexity >= x", "complexity", ""))
        scatter = {
            m: (
                [r["complexity"] for r in rows if r["method"] == m and r.get(key) is not None],
                [r[key] for r in rows if r["method"] == m and r.get(key) is not None],
            )
            for m in methods
        }
        panels.append(line_plot(scatter, f"each case: {label} against complexity", "complexity", "", lines=False))
    return stack(panels, columns=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="shared data folder (default: found as the tests find it)")
    parser.add_argument(
        "--cases", nargs="*", default=None, help="shared case names or parts of names (default: every composed_*)"
    )
    parser.add_argument("--extra", type=int, default=4, help=f"extra composed cases, 0-{len(EXTRA_PAIRS)}")
    parser.add_argument(
        "--compose-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "videofill_paper_cases",
        help="where the extra cases are written (not in the repository)",
    )
    parser.add_argument("--methods", nargs="*", default=[*METHODS, "propagation"], choices=[*METHODS, "propagation"])
    parser.add_argument("--scores", type=Path, default=None, help="an ablation.csv whose rows are used instead of runs")
    parser.add_argument(
        "--run",
        nargs="*",
        default=None,
        choices=[*METHODS, "propagation"],
        help="methods run where --scores has no row (default: all of --methods; the others are n/a)",
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget per paper method per case")
    parser.add_argument(
        "--clock",
        default="wall",
        choices=["wall", "cpu"],
        help="what --seconds counts: wall time (use on a GPU), or CPU time (fair on a shared CPU)",
    )
    parser.add_argument("--steps-per-batch", type=int, default=5, help="M of the video methods (paper: 100)")
    parser.add_argument("--preset", default="paper", help="preset of the paper's methods (test: smoke test)")
    add_compute_arguments(parser)
    args = parser.parse_args()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    data = find_data(args.data)
    size = get_preset("paper").size
    known = read_scores(args.scores)
    cases = composed_cases(data, args.cases) + extra_cases(data, args.compose_dir, args.extra)
    rows = []
    for case in cases:
        frames, holes = load_case(case)
        total, appearance, motion = complexity_terms(frames, size)
        print(f"{case.name}: complexity {total:.3f} (appearance {appearance:.3f}, motion {motion:.3f})", flush=True)
        for method in args.methods:
            found = known.get((case.name, method))
            if found:
                measured, source = {k: found.get(k) for k in [*SCORES, "seconds", "cpu_s"]}, "csv"
            elif args.run is None or method in args.run:
                measured, source = run_method(frames, holes, method, args), "run"
            else:
                measured, source = {k: None for k in [*SCORES, "seconds", "cpu_s"]}, "not run"
            rows.append(
                {
                    "case": case.name,
                    "complexity": total,
                    "appearance": appearance,
                    "motion": motion,
                    "method": method,
                    **measured,
                    "source": source,
                }
            )
            if measured["psnr"] is not None:
                print(
                    f"  {method}: PSNR {measured['psnr']:.2f}, hole {measured['psnr_hole']:.2f} ({source})", flush=True
                )
    rows.sort(key=lambda r: (r["complexity"], r["case"]))
    keys = [*SCORES, "seconds"]
    means = [mean_row([r for r in rows if r["method"] == m], keys, case="mean", method=m) for m in args.methods]
    save_image(args.out / "paper_complexity.png", figure(rows, args.methods))
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    notes = "\n".join(
        [
            f"Cost of this command: {wall:.0f} s wall, {cpu:.0f} s CPU. {machine_line()}",
            "",
            f"Rows sorted by complexity. `source`: `csv` = read from `{args.scores}`, `not run` = no score (methods "
            "run "
            f"here: {', '.join(args.run if args.run is not None else args.methods)}), `run` = run by this command "
            "with the "
            f"`{args.preset}` preset at {args.seconds:g} s of {args.clock} time per method per case, M = "
            f"{args.steps_per_batch}, "
            f"bf16 {'on' if args.bf16 else 'off'} (`propagation`: the `default` preset, no training). Complexity at "
            f"{size[0]}x{size[1]} (the paper's working size): appearance in grey levels (0-255) plus motion in px of "
            "flow "
            "per px; the paper adds the two without saying how it scales them, so their relative weight (and with it "
            "the "
            "ranking) is a choice; the table gives both terms.",
            "",
            "## Split into simple and complex halves (paper Table 2)",
            "",
            split_table(rows, args.methods),
            "",
            *extended_splits(rows, args.methods),
            f"The paper's Table 2 (PSNR/SSIM): {PAPER_TABLE2}. Its reading: the internal-learning method is slightly "
            "ahead of the flow-based method on the complex half and behind on the simple half.",
            "",
            "Figure: `paper_complexity.png`: top, Fig. 7's curves (for each x, the mean over the cases whose "
            "complexity is "
            "at least x) and each case against its complexity, for PSNR; bottom, the same for hole PSNR.",
        ]
    )
    write_table(
        rows + means,
        args.out / "paper_complexity.md",
        args.out / "paper_complexity.csv",
        "Complexity split (paper section 4.2, Table 2, Fig. 7)",
        command_line(),
        notes,
    )
    print(f"wrote {args.out / 'paper_complexity.md'} ({wall:.0f} s wall, {cpu:.0f} s CPU)")


if __name__ == "__main__":
    main()
