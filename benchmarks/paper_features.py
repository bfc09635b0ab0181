"""The paper's latent-feature similarity (section 5.1, Fig. 9): are the encoder's features of the same scene point,
tracked across frames by optical flow, more alike than those of random pairs?

For each case, its first ``--frames`` frames (at ``--size``) train four generators and each gives the encoder's
feature map at the level whose cells are ``--stride`` px (the paper: 32 x 32 px patches at 384x192; the CPU default,
16 px at 192x96, is the same share of the frame and the bottleneck of the depth-4 network):

- ``dip-vid-flow``: the paper's model, trained on the clip (``--steps`` steps, M = ``--steps-per-batch``);
- ``dip-vid``: the same without the flow losses (is it the shared network or the flow that makes the code?);
- ``dip``: a fresh network per frame (DIP-Vid on one frame, ``--steps`` x N / T steps each: the same total work);
- ``untrained``: the DIP-Vid-Flow network before training (the input noise is independent per frame, so any
  similarity of tracked cells has to be learned);
- ``pixels``: no network, each cell's own pixels (``stride`` x ``stride`` x 3, the frame's mean colour subtracted):
  plain appearance, where the paper used VGG16 pool5 (no VGG weights here). It says how much of the tracking any
  description of the cell's look would give.

Features are read as the networks generate frames (BatchNorm in training mode on runs of N = 5 frames; one frame for
``dip``). For the centre frame of every run of 5, each cell is followed to the 4 other frames of the run by the
flow between the ground-truth frames (OpenCV DIS, cells whose pixels mostly fail the forward-backward check dropped);
:func:`videofill.eval.features.tracked_similarity` gives the cosine similarity of the tracked pairs, of random pairs,
and how often the most similar cell of the other frame is the tracked one or a neighbour (``hit``, against
``chance``).

Usage, from the repository root:

    python benchmarks/paper_features.py                           # CPU: 10 frames at 192x96, depth 4
    python benchmarks/paper_features.py --device cuda --bf16 --size 384 192 --depth 6 --frames 30 --seconds 1800

``--seconds N`` (per trained network) replaces ``--steps`` by what a timing run says fits. Writes
``paper_features.md``, ``.csv``, ``paper_features.png`` (the summary bars) and ``paper_features_map.png`` (Fig. 9:
a reference cell's similarity over 5 frames as opacity) to ``benchmarks/results`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import math
import time

import cv2
import numpy as np
import torch
from common import (
    add_compute_arguments,
    command_line,
    composed_cases,
    cpu_seconds,
    find_data,
    load_case,
    machine_line,
    reduced_paper_config,
    resize_case,
    run_case,
    write_table,
)  # fmt: skip
from plots import bar_chart

from videofill.config import InpaintConfig
from videofill.eval.features import similarity_map, track_cells, tracked_similarity
from videofill.fill.flow import estimate_flow, forward_backward_valid
from videofill.fill.methods import build_model, make_noise
from videofill.pipeline import resolve_device
from videofill.viz import comparison_figure, save_image

METHODS = ("dip-vid-flow", "dip-vid", "dip", "untrained", "pixels")
RUN = 5  # frames read together (the batch size N), the centre one the reference


@torch.no_grad()
def features_of(model: torch.nn.Module, noise: torch.Tensor, level: int) -> np.ndarray:
    """float32 (n, C, h, w): the encoder's level ``level`` for noise (n, 1, H, W), read as generation runs it."""
    model.train()  # BatchNorm on the batch's statistics, as videofill.fill.inference generates
    device = next(model.parameters()).device
    return model.encoder_features(noise.to(device))[level].float().cpu().numpy()


def trained(frames, holes, config: InpaintConfig) -> tuple[torch.nn.Module, torch.Tensor]:
    """(the trained network, its noise (T, 1, H, W)) of one run."""
    seen = {}

    def keep(_step, model, video) -> None:
        seen["model"], seen["noise"] = model, video.noise

    run_case(frames, holes, config, on_step=keep)
    return seen["model"], seen["noise"]


def method_features(frames, holes, config: InpaintConfig, method: str, level: int, steps: int) -> list[np.ndarray]:
    """Per frame, float32 (C, h, w) features of ``method`` (see the module docstring)."""
    count = len(frames)
    if method == "pixels":
        stride = 2 ** (level + 1)
        h, w = frames.shape[1] // stride, frames.shape[2] // stride
        out = []
        for frame in frames.astype(np.float32) / 255.0:
            centred = frame - frame.mean(axis=(0, 1))  # (H, W, 3)
            cells = centred.reshape(h, stride, w, stride, 3).transpose(1, 3, 4, 0, 2)  # (s, s, 3, h, w)
            out.append(cells.reshape(-1, h, w))  # (s * s * 3, h, w)
        return out
    if method == "dip":
        per_frame = max(1, round(steps * config.batch_frames / count))
        out = []
        for j in range(count):
            single = config.replace(
                method="dip-vid", batch_frames=1, max_steps=per_frame, epochs=float(per_frame), seed=config.seed + j
            )
            model, noise = trained(frames[j : j + 1], holes[j : j + 1], single)
            out.append(features_of(model, noise, level)[0])
        return out
    if method == "untrained":
        height, width = frames.shape[1:3]
        model = build_model(config, resolve_device(config.device))
        noise = make_noise(count, height, width, config)  # the noise the trained run gets (same seed)
    else:
        model, noise = trained(frames, holes, config.replace(method=method, max_steps=steps, epochs=float(steps)))
    out = []
    for start in range(0, count - RUN + 1, RUN):
        out += list(features_of(model, noise[start : start + RUN], level))
    return out


def tracks(frames: np.ndarray) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """(reference, other, flow reference -> other (H, W, 2), valid (H, W)) for the centre of every run of 5."""
    pairs = []
    for start in range(0, len(frames) - RUN + 1, RUN):
        centre = start + RUN // 2
        for other in range(start, start + RUN):
            if other == centre:
                continue
            forward = estimate_flow(frames[centre], frames[other])
            backward = estimate_flow(frames[other], frames[centre])
            as_torch = [torch.from_numpy(f).permute(2, 0, 1)[None] for f in (forward, backward)]
            valid = forward_backward_valid(*as_torch)[0, 0].numpy()
            pairs.append((centre, other, forward, valid))
    return pairs


def steps_for(frames, holes, config: InpaintConfig, seconds: float) -> int:
    """Steps of DIP-Vid-Flow that fit ``seconds``, from a 6-step timing run."""
    stamps: list[float] = []
    run_case(
        frames, holes, config.replace(max_steps=6, epochs=6.0), on_step=lambda *_: stamps.append(time.perf_counter())
    )
    return max(1, math.floor(seconds / float(np.median(np.diff(stamps)))))


def similarity_panels(frames, features, pairs, stride: int) -> np.ndarray:
    """One row of Fig. 9: the centre cell of the first run's reference frame; every frame of the run darkened where
    the features are unlike it (opacity = similarity, clipped at 0), the reference cell in red, its tracks in green."""
    centre = pairs[0][0]
    _, h, w = features[centre].shape
    cell = (h // 2, w // 2)
    reference = features[centre][:, cell[0], cell[1]]
    panels = []
    for index in range(centre - RUN // 2, centre + RUN // 2 + 1):
        alpha = np.clip(similarity_map(features[index], reference), 0, 1)
        alpha = cv2.resize(alpha.astype(np.float32), frames.shape[2:0:-1], interpolation=cv2.INTER_NEAREST)
        panel = (frames[index] * (0.15 + 0.85 * alpha[..., None])).astype(np.uint8)
        if index == centre:
            target = cell
        else:
            flow, valid = next((f, v) for c, o, f, v in pairs if c == centre and o == index)
            target = tuple(track_cells(flow, stride, valid)[0][cell])
        colour = (255, 0, 0) if index == centre else (0, 255, 0)
        top_left = (target[1] * stride, target[0] * stride)
        cv2.rectangle(panel, top_left, (top_left[0] + stride - 1, top_left[1] + stride - 1), colour, 1)
        panels.append(panel)
    return comparison_figure({f"frame {centre + d}": p for d, p in zip(range(-2, 3), panels)})


def summary_row(case: str, method: str, merged: dict) -> dict:
    """One report row from a run's pooled arrays (tracked / random cosines, hits, chance): means and pair count."""
    tracked, random = float(merged["tracked"].mean()), float(merged["random"].mean())
    return {"case": case, "method": method, "pairs": len(merged["tracked"]), "tracked": tracked, "random": random,
            "gap": tracked - random, "hit_rate": float(merged["hits"].mean()), "chance": float(merged["chance"].mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="shared data folder (default: found as the tests find it)")
    parser.add_argument(
        "--cases", nargs="*", default=None, help="case names or parts of names (default: every composed_*)"
    )
    parser.add_argument("--frames", type=int, default=10, help="frames of each case (runs of 5)")
    parser.add_argument(
        "--size", nargs=2, type=int, default=[192, 96], metavar=("W", "H"), help="working size (paper: 384 192)"
    )
    parser.add_argument(
        "--depth", type=int, default=4, help="generator levels, the paper's channels cut to it (paper: 6)"
    )
    parser.add_argument(
        "--stride",
        type=int,
        default=16,
        help="px per feature cell, sets the level (paper: 32 at "
        "384x192; 16 at 192x96 is the same share of the frame, and the bottleneck of depth 4)",
    )
    parser.add_argument("--steps", type=int, default=100, help="training steps of each video network")
    parser.add_argument("--seconds", type=float, default=None, help="wall budget per video network (replaces --steps)")
    parser.add_argument("--steps-per-batch", type=int, default=5, help="M (paper: 100)")
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    add_compute_arguments(parser)
    args = parser.parse_args()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    level = int(round(math.log2(args.stride))) - 1
    if not 0 <= level < args.depth or 2 ** (level + 1) != args.stride:
        parser.error(f"--stride must be a power of two from 2 to {2**args.depth}")
    config = reduced_paper_config(args)
    rows, maps, totals = [], {}, {m: [] for m in args.methods}
    for case in composed_cases(find_data(args.data), args.cases):
        frames, holes = load_case(case)
        frames, holes = resize_case(frames[: args.frames], holes[: args.frames], tuple(args.size))
        steps = args.steps if args.seconds is None else steps_for(frames, holes, config, args.seconds)
        pairs = tracks(frames)
        for method in args.methods:
            features = method_features(frames, holes, config, method, level, steps)
            parts = [
                tracked_similarity(features[c], features[o], flow, args.stride, valid, seed=c * 100 + o)
                for c, o, flow, valid in pairs
            ]
            merged = {
                k: np.concatenate([getattr(p, k) for p in parts]) for k in ("tracked", "random", "hits", "chance")
            }
            totals[method].append(merged)
            rows.append(summary_row(case.name, method, merged))
            print(
                f"{case.name} {method}: tracked {rows[-1]['tracked']:.3f}, random {rows[-1]['random']:.3f}, "
                f"hits {rows[-1]['hit_rate']:.3f} (chance {rows[-1]['chance']:.3f}, {rows[-1]['pairs']} pairs)",
                flush=True,
            )
            if not maps.get("case") or maps["case"] == case.name:
                maps["case"] = case.name
                maps[method] = similarity_panels(frames, features, pairs, args.stride)
    for method, parts in totals.items():
        merged = {k: np.concatenate([p[k] for p in parts]) for k in ("tracked", "random", "hits", "chance")}
        rows.append(summary_row("all", method, merged))
    everything = {r["method"]: r for r in rows if r["case"] == "all"}
    bars = {
        m: {"tracked cos": r["tracked"], "random cos": r["random"], "hit rate": r["hit_rate"], "chance": r["chance"]}
        for m, r in everything.items()
    }
    save_image(args.out / "paper_features.png", bar_chart(bars, f"{args.stride} px cells, all cases", "cosine / rate"))
    case_name = maps.pop("case")
    save_image(args.out / "paper_features_map.png", comparison_figure(maps, columns=1))
    for row in rows:
        for key in ("tracked", "random", "gap", "hit_rate", "chance"):
            row[key] = round(row[key], 4)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    budget = f"the steps a timing run fits in {args.seconds:g} s" if args.seconds else f"{args.steps} steps"
    notes = "\n".join(
        [
            f"Cost: {wall:.0f} s wall, {cpu:.0f} s CPU. {machine_line()}",
            "",
            f"Settings: the first {args.frames} frames of each case at {args.size[0]}x{args.size[1]}, generator depth "
            f"{args.depth}, features of level {level} ({args.stride} px cells), "
            f"{budget} "
            f"per video network with M = {args.steps_per_batch} (DIP: the same total work over its per-frame "
            "networks). "
            "`tracked` / `random`: mean cosine similarity of the tracked pairs and of random pairs; `gap` their "
            "difference; "
            "`hit_rate`: how often the most similar cell of the other frame is the tracked one or one of its 8 "
            "neighbours; "
            "`chance`: the same for a cell drawn at random. Rows `all`: every pair of every case.",
            "",
            "Figures: `paper_features.png` (the `all` rows as bars) and `paper_features_map.png` (Fig. 9 for "
            f"{case_name}: "
            "the centre cell of frame 2 in red, the cell the flow tracks it to in green; each frame darkened where the "
            "features are unlike the red cell's; one row per method, in the order of the table).",
            "",
            "The paper (Fig. 9, one example, against VGG16 pool5): the most similar patches by the learned feature "
            "lie on "
            "the same object across frames; VGG finds visually similar patches but not the same instance. It gives no "
            'numbers. The reading of this run is in the README section "Reproducing the paper".',
        ]
    )
    write_table(
        rows,
        args.out / "paper_features.md",
        args.out / "paper_features.csv",
        "Latent-feature similarity (paper section 5.1, Fig. 9)",
        command_line(),
        notes,
    )
    print(f"wrote {args.out / 'paper_features.md'} ({wall:.0f} s wall, {cpu:.0f} s CPU)")


if __name__ == "__main__":
    main()
