"""The floor every method should beat: OpenCV Telea inpainting, frame by frame, on the composed cases.

Telea (``cv2.INPAINT_TELEA``, radius 3 px) fills each frame's hole from its edge alone: no learning, no other frames.
It takes seconds. Usage, from the repository root:

    .venv/bin/python benchmarks/telea_floor.py [--data DIR] [--cases NAME ...] [--out DIR]

writes ``telea_floor.md`` and ``telea_floor.csv`` to ``benchmarks/results`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import (
    CONVENTIONS,
    METRICS,
    RESULTS,
    command_line,
    composed_cases,
    find_data,
    load_case,
    mean_row,
    score,
    write_table,
)

from videofill.fill.propagate import telea_fill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="shared data folder (default: found as the tests find it)")
    parser.add_argument("--cases", nargs="*", default=None, help="case names or parts of names (default: every composed_*)")
    parser.add_argument("--radius", type=int, default=3, help="Telea neighbourhood radius in px")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for telea_floor.md and telea_floor.csv")
    args = parser.parse_args()

    rows = []
    for case in composed_cases(find_data(args.data), args.cases):
        frames, holes = load_case(case)
        started = time.perf_counter()
        filled = telea_fill(frames, holes, args.radius)
        seconds = time.perf_counter() - started
        report = score(filled, frames, holes)
        rows.append({"case": case.name, **{k: report[k] for k in METRICS}, "seconds": seconds})
        print(f"{case.name}: PSNR {report['psnr']:.2f} dB, hole PSNR {report['psnr_hole']:.2f} dB", flush=True)
        fid_note = report["fid_note"]
    rows.append(mean_row(rows, [*METRICS, "seconds"], case="mean"))
    notes = "\n".join([
        "Frame-wise OpenCV Telea inpainting (`videofill.fill.propagate.telea_fill`, "
        f"radius {args.radius} px): a weight-free reference that uses no other frame. `seconds` is the fill alone.",
        "",
        "Conventions:",
        "",
        CONVENTIONS,
        "",
        f"FID: {fid_note or 'computed'}.",
    ])  # fmt: skip
    title = "Telea floor (frame-wise OpenCV inpainting)"
    write_table(rows, args.out / "telea_floor.md", args.out / "telea_floor.csv", title, command_line(), notes)
    print(f"wrote {args.out / 'telea_floor.md'} and {args.out / 'telea_floor.csv'}")


if __name__ == "__main__":
    main()
