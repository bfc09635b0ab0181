"""What the benchmark scripts share: finding the cases, running a configuration on one, scoring, writing tables.

Run the scripts from the repository root (``.venv/bin/python benchmarks/NAME.py``); they import this module from
their own folder. Results go to ``benchmarks/results/`` as a Markdown report (command line and date at the top) and a
CSV of the same rows.
"""

from __future__ import annotations

import csv
import datetime
import math
import os
import shlex
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from videofill.config import PAPER_CHANNELS, InpaintConfig, get_preset
from videofill.eval.report import evaluate
from videofill.io.masks import read_masks
from videofill.io.video import read_frames
from videofill.pipeline import InpaintResult, inpaint_video

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"

#: How the numbers are made (for the reports); the details are in videofill.eval.report.evaluate's docstring.
CONVENTIONS = """\
- Cases: the composed cases of the shared data (`composed_*`): a real background video (the ground truth) under a real
  object mask sequence from another video. Full resolution of the case, masks as shipped (not dilated).
- Scores are of the composited result (known pixels are the input's) against the background video:
  PSNR and SSIM full frame = mean over frames; PSNR hole = one MSE over all hole pixels of the video;
  SSIM hole = SSIM over each frame's hole bounding box (grown to at least 11x11 px), mean over frames.
  PSNR is capped at 100 dB.
- Consistency (paper section 4.1): 50x50 patches centred in the hole at frame t, best PSNR match within +-20 px at
  frame t+1; mean PSNR / SSIM of the matched pairs (5 patches per frame, seed 0).
- FID: Inception features of the result frames against the ground-truth frames; n/a when no Inception weights are
  in the torch hub cache (no download happens).
- Means are over cases; a mean is n/a when a case has no value."""

# key -> (column header, number format); rows may hold other keys, written as they are.
COLUMNS = {
    "psnr": ("PSNR", "{:.2f}"),
    "ssim": ("SSIM", "{:.4f}"),
    "psnr_hole": ("PSNR hole", "{:.2f}"),
    "ssim_hole": ("SSIM hole", "{:.4f}"),
    "consistency_psnr": ("cons. PSNR", "{:.2f}"),
    "consistency_ssim": ("cons. SSIM", "{:.4f}"),
    "fid": ("FID", "{:.2f}"),
    "seconds": ("seconds", "{:.1f}"),
    "budget_s": ("budget s", "{:.1f}"),
    "peak_mb": ("peak MB", "{:.0f}"),
    "cpu_s": ("CPU s", "{:.1f}"),
    "steps": ("steps", "{:d}"),
    "k": ("k", "{:d}"),
    "psnr_known": ("non-hole PSNR", "{:.2f}"),
    "ssim_known": ("non-hole SSIM", "{:.4f}"),
    "complexity": ("complexity", "{:.3f}"),
    "appearance": ("appearance", "{:.3f}"),
    "motion": ("motion", "{:.3f}"),
    "temporal": ("temporal error", "{:.2f}"),
    "gain_db": ("hole PSNR over Telea (dB)", "{:+.2f}"),
    "copy_ratio": ("copy ratio", "{:.2f}"),
    "sharpness": ("sharpness", "{:.2f}"),
}
METRICS = ["psnr", "ssim", "psnr_hole", "ssim_hole", "consistency_psnr", "consistency_ssim", "fid"]


def find_data(arg: str | os.PathLike | None = None) -> Path:
    """The shared data folder: ``arg``, else $VIDEOFILL_DATA, ../shared/data beside the checkout, /work/shared/data.

    Exits with a one-line message when none of them is a folder.
    """
    candidates = [Path(arg)] if arg else []
    if os.environ.get("VIDEOFILL_DATA"):
        candidates.append(Path(os.environ["VIDEOFILL_DATA"]))
    candidates += [REPO.parent / "shared" / "data", Path("/work/shared/data")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    sys.exit(f"error: no data folder found (tried {', '.join(map(str, candidates))}); give --data DIR")


def composed_cases(data: Path, names: Sequence[str] | None = None) -> list[Path]:
    """The case folders with a ground truth, ``composed_*``, sorted; with ``names``, the cases whose folder name
    contains one of them (any case, ``tiny_*`` included). Exits when nothing matches."""
    folders = sorted(p for p in Path(data).iterdir() if (p / "frames").is_dir() and (p / "masks").is_dir())
    if names:
        chosen = [p for p in folders if any(name in p.name for name in names)]
    else:
        chosen = [p for p in folders if p.name.startswith("composed_")]
    if not chosen:
        sys.exit(f"error: no case in {data} matches {list(names or ['composed_*'])}")
    return chosen


def load_case(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(frames uint8 (T, H, W, 3) RGB = the ground truth, holes bool (T, H, W)) of a case folder."""
    frames = read_frames(path / "frames")
    holes = read_masks(path / "masks", len(frames), (frames.shape[2], frames.shape[1]))
    return frames, holes


def resize_case(frames: np.ndarray, holes: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A case at (W, H): frames by area averaging, a pixel is hole when any input pixel under it is (as
    :func:`videofill.fill.prepare.prepare` resizes), so a method run at that size sees the same grid as the scores."""
    import cv2

    if frames.shape[1:3] == (size[1], size[0]):
        return frames, holes
    small = np.stack([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames])
    small_holes = np.stack([cv2.resize(h.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0 for h in holes])
    return small, small_holes


def cpu_seconds() -> float:
    """CPU seconds (user + system) this process and its finished children have used so far."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def machine_line() -> str:
    """One line for a report: CPU count, torch threads, the load caveat."""
    import platform

    import torch

    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, torch {torch.__version__} with "
        f"{torch.get_num_threads()} thread(s){', CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else ''}. "
        "Other jobs shared the machine: wall time is inflated by the load, CPU time is the better measure of cost."
    )


def run_case(
    frames: np.ndarray, holes: np.ndarray, config: InpaintConfig, **kwargs
) -> tuple[np.ndarray, float, InpaintResult]:
    """Inpaint a case with ``config``; returns (result frames uint8 (T, H, W, 3), wall seconds, the InpaintResult).

    ``kwargs`` go to :func:`videofill.pipeline.inpaint_video` (e.g. ``on_step``). Warnings (missing VGG weights...)
    are shown once per message.
    """
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("once")
        result = inpaint_video(frames, holes, config, **kwargs)
    return result.frames, time.perf_counter() - started, result


_INCEPTION: list = []  # loaded once: [model or None]


def score(result: np.ndarray, frames: np.ndarray, holes: np.ndarray) -> dict[str, Any]:
    """:func:`videofill.eval.report.evaluate` of a result against the case's frames, without its per-frame list."""
    if not _INCEPTION:
        from videofill.eval.inception import load_inception

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _INCEPTION.append(load_inception())
    report = evaluate(result, frames, holes, inception=_INCEPTION[0])
    report.pop("frames")
    return report


def mean_row(rows: Sequence[dict], keys: Sequence[str], **labels) -> dict:
    """A row of the means of ``keys`` over ``rows`` (None where any row has None), with ``labels`` added."""
    out = dict(labels)
    for key in keys:
        values = [row.get(key) for row in rows]
        numbers = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if len(numbers) != len(values) or not numbers:
            out[key] = None
        elif all(isinstance(v, int) for v in numbers):
            out[key] = round(float(np.mean(numbers)))
        else:
            out[key] = float(np.mean(numbers))
    return out


def _cell(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if key in COLUMNS and isinstance(value, (int, float)):
        fmt = COLUMNS[key][1]
        return fmt.format(int(value)) if fmt == "{:d}" else fmt.format(value)
    return str(value)


def command_line() -> str:
    """The command that is running, as one would type it from the repository root."""
    script = Path(sys.argv[0]).resolve()
    try:
        script = script.relative_to(REPO)
    except ValueError:
        pass
    return shlex.join(["python", str(script), *sys.argv[1:]])


def write_table(
    rows: Sequence[dict], md_path: Path, csv_path: Path, title: str, command: str, notes: str = ""
) -> None:
    """Write ``rows`` (dicts with the same keys, in column order) as a Markdown report and as CSV.

    The report starts with ``title``, the command line that made it and today's date, then the table, then ``notes``
    (Markdown). Known metric keys get a header and a number format (:data:`COLUMNS`); None is written "n/a" in the
    report and empty in the CSV.
    """
    keys = list(rows[0]) if rows else []
    header = [COLUMNS[k][0] if k in COLUMNS else k for k in keys]
    lines = [
        f"# {title}",
        "",
        f"Command: `{command}`",
        "",
        f"Date: {datetime.date.today().isoformat()}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in keys) + "|",
    ]
    lines += ["| " + " | ".join(_cell(k, row.get(k)) for k in keys) + " |" for row in rows]
    if notes:
        lines += ["", notes.rstrip()]
    md_path = Path(md_path)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text("\n".join(lines) + "\n")
    with Path(csv_path).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(keys)
        for row in rows:
            writer.writerow(["" if row.get(k) is None else row[k] for k in keys])


def add_compute_arguments(parser) -> None:
    """--device, --bf16 and --out, as every paper-analysis script takes them."""
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument(
        "--bf16",
        action="store_true",
        help="bf16 autocast + channels_last (fast on GPUs and CPUs "
        "with AVX-512 BF16; on this project's AMD EPYC without it, 5-7x slower than fp32)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)


def reduced_paper_config(args) -> InpaintConfig:
    """The ``paper`` preset cut to what the paper-analysis scripts' arguments ask for: ``args.size`` (W, H),
    ``args.depth`` levels of the paper's channels, ``args.steps_per_batch`` and :func:`add_compute_arguments`'
    device and bf16 (bf16 with channels_last)."""
    return get_preset("paper").replace(
        size=tuple(args.size),
        channels=PAPER_CHANNELS[: args.depth],
        steps_per_batch=args.steps_per_batch,
        device=args.device,
        bf16=args.bf16,
        channels_last=args.bf16,
    )
