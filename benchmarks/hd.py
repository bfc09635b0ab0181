"""Full-resolution fill on HD footage (issue 14): quality, sharpness, time and memory of the default preset.

For each case three runs of the default preset, each in its own process (peak resident memory from ``os.wait4``;
the wall time is that of ``inpaint_video`` alone, not of reading the frames):

- ``default``: the input at its own size (working size 432 px: flows and motion models there, copies at full size);
- ``full size``: the same with ``--max-side`` equal to the frame's long side (everything at full size);
- ``432 clip``: the same clip downscaled to a long side of 432 px (frames ``INTER_AREA``, a pixel is hole when any
  pixel under it is), the default preset; only its time is compared (target: default <= 2.5x this).

Scores against the ground truth on the given masks: hole PSNR (one MSE over the video's hole pixels) and the hole
sharpness ratio (``videofill.eval.metrics.hole_sharpness_ratio``: mean Sobel magnitude in the hole, result over
truth). Cases: the shared ``composed_hd_sam2-coffee_x_blackswan`` (1280x720, static camera), and cases composed here
with ``videofill.eval.compose.compose_case`` from frames that were never upscaled: the HD case's frames under the
DAVIS ``bmx-trees`` masks (854x480, nearest-neighbour to 1280x720: a thin moving rider), and DAVIS
``car-roundabout`` frames (854x480, a steady pan) under the ``bmx-trees`` masks.

Run from the repository root:
    .venv/bin/python benchmarks/hd.py                 # every case, first 20 frames
    .venv/bin/python benchmarks/hd.py --frames 30 --cases coffee_x_blackswan
Writes benchmarks/results/hd.md and hd.csv.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, command_line, find_data, load_case  # noqa: E402

MODES = ("default", "full size", "432 clip")


def worker(case: str, mode: str, frames: int, out: str) -> None:
    """One run in this process: writes its scores and seconds to ``out`` (JSON)."""
    from videofill.config import get_preset
    from videofill.eval.metrics import hole_sharpness_ratio, psnr
    from videofill.pipeline import inpaint_video

    video, holes = load_case(Path(case))
    video, holes = video[:frames], holes[:frames]
    config = get_preset("default")
    if mode == "full size":
        config = config.replace(max_side=max(video.shape[1:3]))
    elif mode == "432 clip":
        scale = 432 / max(video.shape[1:3])
        size = (round(video.shape[2] * scale), round(video.shape[1] * scale))
        video = np.stack([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in video])
        holes = np.stack([cv2.resize(h.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0 for h in holes])
    started = time.perf_counter()
    result = inpaint_video(video, holes, config).frames
    seconds = time.perf_counter() - started
    report = dict(
        seconds=seconds,
        psnr_hole=psnr(result, video, holes),
        sharpness=hole_sharpness_ratio(result, video, holes),
        size=f"{video.shape[2]}x{video.shape[1]}",
        dilate=config.dilate,
    )
    Path(out).write_text(json.dumps(report))


def run(case: Path, mode: str, frames: int) -> dict:
    """``worker`` in a child process; adds its peak resident memory (MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, __file__, "--worker", str(case), mode, str(frames), str(out)]
        process = subprocess.Popen(command, env=dict(os.environ, PYTHONWARNINGS="ignore"))
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0 or not out.exists():
            raise SystemExit(f"{case.name} {mode}: the run failed")
        report = json.loads(out.read_text())
    report["peak_mb"] = usage.ru_maxrss / 1024
    return report


def make_cases(data: Path, folder: Path, frames: int) -> list[Path]:
    from videofill.eval.compose import compose_case

    vos = data / "vos"
    hd = data / "composed_hd_sam2-coffee_x_blackswan"
    cases = [hd]
    cases.append(compose_case(hd / "frames", vos / "bmx-trees" / "masks", folder / "hd_coffee_x_bmx-trees", frame_count=frames))
    cases.append(compose_case(vos / "car-roundabout" / "frames", vos / "bmx-trees" / "masks", folder / "vos_car-roundabout_x_bmx-trees", frame_count=frames))
    return cases


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--frames", type=int, default=20, help="frames of each case (default 20)")
    parser.add_argument("--cases", nargs="*", default=None, help="only the cases whose name contains one of these")
    args = parser.parse_args()
    data = find_data(args.data)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = make_cases(data, Path(tmp), args.frames)
        if args.cases:
            cases = [c for c in cases if any(n in c.name for n in args.cases)]
        for case in cases:
            for mode in MODES:
                report = run(case, mode, args.frames)
                rows.append(dict(case=case.name, mode=mode, **report))
                print(json.dumps(rows[-1]), flush=True)
    write(rows, args.frames)


def write(rows: list[dict], frames: int) -> None:
    lines = [
        "# Full-resolution fill on HD footage (issue 14)",
        "",
        f"Command: `{command_line()}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; machine: a 2-core CPU shared with other jobs (its load varies, so "
        f"times are compared within one run, case by case). First {frames} frames of each case; the default preset "
        f"(dilation {rows[0]['dilate'] if rows else '?'} px); scores on the given masks.",
        "",
        "| case | run | size | seconds | peak MB | PSNR hole | sharpness |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['case']} | {row['mode']} | {row['size']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | "
            f"{row['psnr_hole']:.2f} | {row['sharpness']:.3f} |"
        )
    lines += ["", "## Against the targets", "", "| case | PSNR default - full size | sharpness default (full size) | time default / 432 clip | peak MB default |", "|---|---|---|---|---|"]
    by_case: dict[str, dict] = {}
    for row in rows:
        by_case.setdefault(row["case"], {})[row["mode"]] = row
    for name, runs in by_case.items():
        if set(MODES) <= set(runs):
            d, f, s = runs["default"], runs["full size"], runs["432 clip"]
            lines.append(
                f"| {name} | {d['psnr_hole'] - f['psnr_hole']:+.2f} dB | {d['sharpness']:.3f} ({f['sharpness']:.3f}) | "
                f"{d['seconds'] / s['seconds']:.2f}x | {d['peak_mb']:.0f} |"
            )
    (RESULTS / "hd.md").write_text("\n".join(lines) + "\n")
    with open(RESULTS / "hd.csv", "w") as handle:
        keys = ["case", "mode", "size", "seconds", "peak_mb", "psnr_hole", "sharpness", "dilate"]
        handle.write(",".join(keys) + "\n")
        for row in rows:
            handle.write(",".join(str(row[k]) for k in keys) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
