"""Long clips: does memory stay flat as a clip gets longer? Wall time and peak memory of ``videofill inpaint``.

For each frame count N it writes a synthetic clip (a drifting texture, 1920x1080 by default, H.264) and a folder of
per-frame masks (a disc moving across the frame), then runs ``videofill inpaint`` on it with the ``test`` preset as
a subprocess and measures the wall time and the peak resident memory of that process (``os.wait4``'s ``ru_maxrss``).
With temporal windows (``--window``, streamed frames) peak memory should not grow with N.

    .venv/bin/python benchmarks/long_clip.py                        # N = 250 and 1000 at 1920x1080 (minutes)
    .venv/bin/python benchmarks/long_clip.py --frames 20 --width 320 --height 180 --results /tmp/long_clip.md

Writes the table and the exact commands to ``benchmarks/results/long_clip.md`` (or ``--results``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from videofill.io.images import write_png
from videofill.io.masks import holes_to_images
from videofill.io.writer import VideoWriter

HERE = Path(__file__).resolve().parent
FPS = 25


def synthetic_frame(t: int, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame ``t``: uint8 (H, W, 3) drifting gradient and texture, and its bool (H, W) hole, a disc moving right."""
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    u, v = (x + 3.0 * t) / width, (y + 1.0 * t) / height  # the scene drifts left and up
    texture = 0.5 + 0.25 * np.sin(40 * u) * np.cos(25 * v)
    frame = np.stack([texture * 255 * u % 256, 255 * v % 256 * np.ones_like(u), 128 + 100 * np.sin(6 * (u + v))], axis=-1)
    radius = height / 6
    cx = radius + (t * 7.0) % (width - 2 * radius)
    hole = (x - cx) ** 2 + (y - height / 2) ** 2 < radius**2
    return np.clip(frame, 0, 255).astype(np.uint8), hole


def write_case(folder: Path, frames: int, width: int, height: int) -> tuple[Path, Path]:
    """Write ``folder/input.mp4`` (H.264, FPS fps) and ``folder/masks/00000.png...`` (255 = hole), frame by frame."""
    clip, masks = folder / "input.mp4", folder / "masks"
    masks.mkdir(parents=True)
    with VideoWriter(clip, FPS, crf=18) as writer:
        for t in range(frames):
            frame, hole = synthetic_frame(t, width, height)
            writer.write(frame)
            write_png(masks / f"{t:05d}.png", holes_to_images(hole))
    return clip, masks


def run_measured(command: list[str], log: Path) -> tuple[float, float, int]:
    """Run ``command``; return (wall seconds, peak resident memory of the process in MiB, exit status)."""
    with log.open("w") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not the maximum over all children
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return wall, usage.ru_maxrss * scale / 2**20, process.returncode


def _flag(value: int | None) -> str:
    return "videofill's default" if value is None else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--frames", type=int, nargs="+", default=[250, 1000], help="clip lengths N to measure")
    parser.add_argument("--width", type=int, default=1920, help="frame width")
    parser.add_argument("--height", type=int, default=1080, help="frame height")
    parser.add_argument("--preset", default="test", help="videofill preset")
    parser.add_argument("--window", type=int, default=None, help="--window for videofill (default: its own)")
    parser.add_argument("--overlap", type=int, default=None, help="--overlap for videofill (default: its own)")
    parser.add_argument("--results", type=Path, default=HERE / "results" / "long_clip.md", help="report to write")
    parser.add_argument("--workdir", type=Path, default=None, help="where clips and outputs go (default: a temporary folder, deleted)")
    args = parser.parse_args()

    rows, commands = [], []
    with tempfile.TemporaryDirectory(prefix="long_clip_") as scratch:
        work = args.workdir or Path(scratch)
        for count in args.frames:
            folder = work / f"n{count}_{args.width}x{args.height}"
            print(f"N={count}: writing a {args.width}x{args.height} clip to {folder}", flush=True)
            started = time.perf_counter()
            clip, masks = write_case(folder, count, args.width, args.height)
            written = time.perf_counter() - started
            command = [sys.executable, "-m", "videofill.cli", "inpaint", str(clip), str(masks), "-o", str(folder / "result.mp4"),
                       "--preset", args.preset, "--overwrite", "--quiet"]
            if args.window is not None:
                command += ["--window", str(args.window)]
            if args.overlap is not None:
                command += ["--overlap", str(args.overlap)]
            print(f"N={count}: {shlex.join(command)}", flush=True)
            wall, peak, code = run_measured(command, folder / "videofill.log")
            if code != 0:
                print((folder / "videofill.log").read_text()[-3000:], file=sys.stderr)
                print(f"N={count}: videofill exited with status {code}", file=sys.stderr)
                return 1
            print(f"N={count}: {wall:.1f} s, peak {peak:.0f} MiB (clip written in {written:.1f} s)", flush=True)
            rows.append((count, wall, peak))
            commands.append(shlex.join(command))

    import torch  # only for the report's header

    lines = [
        "# Long clips: wall time and peak memory of `videofill inpaint`",
        "",
        f"Generated by `benchmarks/long_clip.py` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, torch {torch.__version__}, "
        f"Python {platform.python_version()}.",
        "",
        f"Synthetic {args.width}x{args.height} H.264 clip at {FPS} fps (a drifting texture) with a disc hole moving "
        f"across it (PNG masks); preset `{args.preset}`; window {_flag(args.window)}, overlap {_flag(args.overlap)}. "
        "Peak memory is the `videofill` process's maximum resident set size (`ru_maxrss` from `os.wait4`).",
        "",
        "| frames | wall time (s) | s / frame | peak memory (MiB) |",
        "|---:|---:|---:|---:|",
        *(f"| {n} | {wall:.1f} | {wall / n:.2f} | {peak:.0f} |" for n, wall, peak in rows),
        "",
        "Commands (paths are in a temporary folder):",
        "",
        *(f"    {c}" for c in commands),
        "",
    ]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text("\n".join(lines))
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
