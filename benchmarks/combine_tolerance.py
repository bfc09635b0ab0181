"""How propagation's ways of combining a hole pixel's copies trade PSNR for texture, on the shared composed cases.

Runs the `fast` default (propagation only, `--dilate 0`: the composed cases' masks are exact) with `combine` median,
one, and agree at several tolerances (`videofill.fill.propagate.AGREEMENT_TOLERANCE`, 20 in the library, set here for
the run), and reports per case and on average the full-frame PSNR, the hole PSNR and the hole sharpness ratio.
`--quality best` differs from `fast` on these cases where no frame shows a pixel (mostly the static cups case; a
little on bedroom), and there the combine does nothing: no copies. From the repository root:

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/combine_tolerance.py [--data DIR]
        [--tolerances 8 16 20 28]

Writes `results/combine_tolerance.md` and `.csv`.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import RESULTS, command_line, composed_cases, find_data, load_case, mean_row, write_table

from videofill.config import get_preset
from videofill.eval.metrics import hole_sharpness_ratio, psnr
from videofill.fill import fullres, propagate
from videofill.pipeline import inpaint_video

SHARED = ["car-roundabout", "kite-surf", "soapbox", "sam2-bedroom", "sam2-cups"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--tolerances", type=float, nargs="*", default=[8, 16, 20, 28])
    args = parser.parse_args()
    fast = get_preset("default").replace(dilate=0, dilate_side=None)
    variants = [("median", None), ("one", None)] + [("agree", t) for t in args.tolerances]
    rows = []
    for case in composed_cases(find_data(args.data), SHARED):
        frames, holes = load_case(case)
        for combine, tolerance in variants:
            if tolerance is not None:
                propagate.AGREEMENT_TOLERANCE = fullres.AGREEMENT_TOLERANCE = tolerance
            cpu = time.process_time()
            out = inpaint_video(frames, holes, fast.replace(combine=combine)).frames
            label = combine if tolerance is None else f"agree {tolerance:g}"
            rows.append({"case": case.name.replace("composed_", ""), "method": label,
                         "psnr": float(np.mean([min(psnr(r, f), 100.0) for r, f in zip(out, frames)])),
                         "psnr_hole": psnr(out, frames, holes), "sharpness": hole_sharpness_ratio(out, frames, holes),
                         "cpu_s": time.process_time() - cpu})
            print(rows[-1], flush=True)
    labels = list(dict.fromkeys(row["method"] for row in rows))
    rows += [mean_row([r for r in rows if r["method"] == label], ["psnr", "psnr_hole", "sharpness", "cpu_s"],
                      case="mean", method=label) for label in labels]
    notes = ("Tolerance = the windowed mean absolute difference over RGB (0-255) between a region's best copy and the "
             "median, below which `agree` takes the copy (the library's `AGREEMENT_TOLERANCE`, 20).")
    write_table(rows, RESULTS / "combine_tolerance.md", RESULTS / "combine_tolerance.csv",
                "Combining the copies: median, one copy, agree at several tolerances (fast, shared composed cases)",
                command_line(), notes)


if __name__ == "__main__":
    main()
