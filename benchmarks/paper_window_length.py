"""The paper's window-length study (section 5.2, Fig. 10): quality against the number of frames trained on at once.

Each case's first ``--frames`` frames are cut into clips of ``k`` frames (the last clip may be shorter) and each clip
is inpainted on its own by DIP-Vid-Flow, with batches of ``min(N, k)`` frames and the strides that fit in the clip;
every ``k`` gets the same work per frame: ``steps_per_frame * k / min(N, k)`` steps per clip, so each frame is in
``--steps-per-frame`` batches (on average) and every ``k`` costs the same per video, as the paper's E sweeps do.
``k = 1`` has no neighbour to take a flow to: it is DIP-Vid on one frame, i.e. DIP run
frame by frame (without DIP's lowest-loss pick), as in the paper. Scored per ``k`` over the whole video:

- the *non-hole reconstruction*: PSNR / SSIM of the network's raw output against the input outside the holes (SSIM of
  the output with its hole pixels replaced by the truth, so only the non-hole region counts);
- the inpainting: PSNR / SSIM of the composited result over the full frame, PSNR in the holes, and the consistency
  metric (section 4.1).

Usage, from the repository root (reduced CPU form; the paper used 10 videos, k up to 100, 384x192, full schedule):

    python benchmarks/paper_window_length.py                       # CPU: 10 frames at 160x96, depth 4, k 1 2 5 10
    python benchmarks/paper_window_length.py --device cuda --bf16 --seconds 1800 --frames 30 --size 384 192 \\
        --depth 6 --windows 1 3 5 10 15 30     # the paper's scale on a GPU (its clips had 100 frames, ours 30)

``--seconds N`` (per case and k) replaces ``--steps-per-frame`` by what a timing run says fits in N seconds. Writes
``paper_window_length.md``, ``.csv`` and ``paper_window_length.png`` (the curves) and
``paper_window_length_frames.png`` (the middle frame for each k) to ``benchmarks/results`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from common import (
    add_compute_arguments,
    command_line,
    composed_cases,
    cpu_seconds,
    find_data,
    load_case,
    machine_line,
    mean_row,
    reduced_paper_config,
    resize_case,
    run_case,
    write_table,
)  # fmt: skip
from plots import line_plot, stack

from videofill.config import InpaintConfig
from videofill.eval.metrics import psnr, ssim
from videofill.eval.report import evaluate
from videofill.viz import comparison_figure, save_image

#: The paper's window lengths (section 5.2).
PAPER_WINDOWS = (1, 3, 5, 10, 15, 25, 50, 100)


def clip_config(base: InpaintConfig, length: int, steps_per_frame: int) -> InpaintConfig:
    """The configuration of one clip of ``length`` frames: DIP-Vid-Flow with batches of ``min(N, length)`` frames and
    the strides that fit (DIP-Vid on a single frame), ``steps_per_frame * length / batch`` steps (at least 1)."""
    batch = min(base.batch_frames, length)
    steps = max(1, round(steps_per_frame * length / batch))
    if batch == 1:
        return base.replace(method="dip-vid", batch_frames=1, max_steps=steps, epochs=float(steps))
    strides = tuple(t for t in base.strides if (batch - 1) * t < length) or (1,)
    # a sweep has at least one batch, so `steps` sweeps never stop the run before max_steps does
    return base.replace(batch_frames=batch, strides=strides, max_steps=steps, epochs=float(steps))


def run_windows(frames: np.ndarray, holes: np.ndarray, base: InpaintConfig, k: int, steps_per_frame: int):
    """(composited uint8 (T, H, W, 3), raw output uint8 (T, H, W, 3), training steps) of clips of ``k`` frames."""
    done, raw, steps = [], [], 0
    for start in range(0, len(frames), k):
        clip = slice(start, min(start + k, len(frames)))
        config = clip_config(base, clip.stop - clip.start, steps_per_frame)
        out, _, result = run_case(frames[clip], holes[clip], config)
        done.append(out)
        raw.append(result.generated)
        steps += result.fit.steps
    return np.concatenate(done), np.concatenate(raw), steps


def non_hole_scores(raw: np.ndarray, truth: np.ndarray, holes: np.ndarray) -> tuple[float, float]:
    """(PSNR over the known pixels of the whole video, mean SSIM of frames whose holes hold the truth) of the raw
    network output."""
    patched = np.where(holes[..., None], truth, raw)
    return psnr(raw, truth, ~holes), float(np.mean([ssim(p, t) for p, t in zip(patched, truth)]))


def seconds_to_steps(frames, holes, base: InpaintConfig, seconds: float) -> int:
    """Steps per frame (batches each frame is in) that fit ``seconds`` for the whole video, from a 6-step timing run
    on the first N frames (a batch of N costs about N one-frame steps)."""
    config = clip_config(base, min(len(frames), base.batch_frames), 1).replace(max_steps=6)
    stamps: list[float] = []
    run_case(
        frames[: config.batch_frames],
        holes[: config.batch_frames],
        config,
        on_step=lambda *_: stamps.append(time.perf_counter()),
    )
    per_step = float(np.median(np.diff(stamps)))
    return max(1, math.floor(seconds / per_step * config.batch_frames / len(frames)))


def figure(rows: list[dict], windows: list[int]) -> np.ndarray:
    """Fig. 10's panels: each score against k (log scale), one line per case and their mean."""
    panels = []
    for key, label in [
        ("psnr_known", "non-hole PSNR of the raw output (dB)"),
        ("ssim_known", "non-hole SSIM"),
        ("psnr", "full-frame PSNR, composited (dB)"),
        ("psnr_hole", "hole PSNR (dB)"),
        ("ssim", "full-frame SSIM"),
        ("consistency_psnr", "consistency PSNR (dB)"),
    ]:
        series = {}
        for case in dict.fromkeys(r["case"] for r in rows):
            if case == "mean":
                continue
            mine = [r for r in rows if r["case"] == case]
            series[case.replace("composed_", "")[:18]] = ([r["k"] for r in mine], [r[key] for r in mine])
        mean = [r for r in rows if r["case"] == "mean"]
        series["mean"] = ([r["k"] for r in mean], [r[key] for r in mean])
        panels.append(line_plot(series, label, "window length k (frames)", "", x_log=True, x_ticks=windows))
    return stack(panels, columns=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="shared data folder (default: found as the tests find it)")
    parser.add_argument(
        "--cases", nargs="*", default=None, help="case names or parts of names (default: every composed_*)"
    )
    parser.add_argument(
        "--windows",
        nargs="+",
        type=int,
        default=[1, 2, 5, 10],
        help="window lengths k (paper: " + " ".join(map(str, PAPER_WINDOWS)) + ")",
    )
    parser.add_argument("--frames", type=int, default=10, help="frames of each case used (paper: 100)")
    parser.add_argument(
        "--size",
        nargs=2,
        type=int,
        default=[160, 96],
        metavar=("W", "H"),
        help="working size, multiples of 2**depth (paper: 384 192)",
    )
    parser.add_argument(
        "--depth",
        type=int,
        default=4,
        help="levels of the generator, the paper's channels cut to it (paper: 6, which needs both sides >= 192)",
    )
    parser.add_argument("--steps-per-frame", type=int, default=20, help="batches each frame is trained in")
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="wall budget per case and k (replaces --steps-per-frame by a timing run)",
    )
    parser.add_argument("--steps-per-batch", type=int, default=5, help="M (paper: 100, which needs the full schedule)")
    add_compute_arguments(parser)
    args = parser.parse_args()
    started, cpu_started = time.perf_counter(), cpu_seconds()

    base = reduced_paper_config(args)
    windows = sorted(set(args.windows))
    rows, strips = [], {}
    for case in composed_cases(find_data(args.data), args.cases):
        frames, holes = load_case(case)
        frames, holes = resize_case(frames[: args.frames], holes[: args.frames], tuple(args.size))
        steps_per_frame = (
            args.steps_per_frame if args.seconds is None else seconds_to_steps(frames, holes, base, args.seconds)
        )
        middle = len(frames) // 2
        strips[case.name] = {"truth": frames[middle]}
        for k in windows:
            if k > len(frames):
                continue
            t0 = time.perf_counter()
            done, raw, steps = run_windows(frames, holes, base, k, steps_per_frame)
            known_psnr, known_ssim = non_hole_scores(raw, frames, holes)
            report = evaluate(done, frames, holes, inception=False)
            rows.append(
                {
                    "case": case.name,
                    "k": k,
                    "psnr_known": known_psnr,
                    "ssim_known": known_ssim,
                    "psnr": report["psnr"],
                    "ssim": report["ssim"],
                    "psnr_hole": report["psnr_hole"],
                    "consistency_psnr": report["consistency_psnr"],
                    "consistency_ssim": report["consistency_ssim"],
                    "steps": steps,
                    "seconds": time.perf_counter() - t0,
                }
            )
            strips[case.name][f"k={k}"] = done[middle]
            print(
                f"{case.name} k={k}: {steps} steps, non-hole PSNR {known_psnr:.2f}, PSNR {report['psnr']:.2f}, "
                f"hole {report['psnr_hole']:.2f}, consistency {report['consistency_psnr']:.2f}",
                flush=True,
            )
    keys = [
        "psnr_known",
        "ssim_known",
        "psnr",
        "ssim",
        "psnr_hole",
        "consistency_psnr",
        "consistency_ssim",
        "steps",
        "seconds",
    ]
    means = [
        mean_row([r for r in rows if r["k"] == k], keys, case="mean", k=k)
        for k in windows
        if any(r["k"] == k for r in rows)
    ]
    save_image(args.out / "paper_window_length.png", figure(rows + means, windows))
    save_image(
        args.out / "paper_window_length_frames.png",
        comparison_figure({name: comparison_figure(panels) for name, panels in strips.items()}, columns=1),
    )
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    budget = f"{args.steps_per_frame} batches per frame"
    if args.seconds:
        budget = f"the steps a timing run fits in {args.seconds:g} s"
    notes = "\n".join(
        [
            f"Cost: {wall:.0f} s wall, {cpu:.0f} s CPU. {machine_line()}",
            "",
            f"Settings: the first {args.frames} frames of each case at {args.size[0]}x{args.size[1]}, generator depth "
            f"{args.depth} (channels {', '.join(map(str, base.channels))}), DIP-Vid-Flow with M = "
            f"{args.steps_per_batch}, "
            f"{budget} "
            f"for every k (the same work per frame), bf16 {'on' if args.bf16 else 'off'}, perceptual loss when VGG16 "
            "weights are present. `psnr_known` / `ssim_known`: the raw network output outside the holes (paper Fig. "
            "10's "
            '"non-hole" curves); `PSNR`, `SSIM`, `PSNR hole`, `cons.`: the composited result. k = 1 is DIP-Vid on one '
            "frame (DIP frame by frame).",
            "",
            "Figures: `paper_window_length.png` (each score against k, one line per case and the mean) and "
            "`paper_window_length_frames.png` (the middle frame of each case for each k, the truth first).",
            "",
            "The paper (Fig. 10, 10 videos, k 1-100): as k grows the non-hole reconstruction gets worse (k = 1 fits "
            "each "
            "frame best) while full-frame PSNR/SSIM and consistency get better: more frames let the network fill the "
            "hole "
            'from distant frames. The reading of this run is in the README section "Reproducing the paper".',
        ]
    )
    title = "Window length (paper section 5.2, Fig. 10)"
    write_table(
        rows + means,
        args.out / "paper_window_length.md",
        args.out / "paper_window_length.csv",
        title,
        command_line(),
        notes,
    )
    print(f"wrote {args.out / 'paper_window_length.md'} ({wall:.0f} s wall, {cpu:.0f} s CPU)")


if __name__ == "__main__":
    main()
