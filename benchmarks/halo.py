"""Which default mask dilation removes the halo (issue 14)? The default preset at several ``--dilate`` values.

Each value is in pixels of the clip itself (not scaled with its size: ``dilate_side`` off).

1. Object-removal clips (no ground truth: look at the pictures): ``removal_bmx-trees`` and ``removal_schoolgirls``
   (432x240, masks drawn tight around the object) and DAVIS ``bmx-trees`` at its own 854x480 under its own masks
   (the first 30 frames). A crop around the hole of one frame per dilation goes to ``results/halo_CASE.png`` (left to
   right: the input, then each dilation). The number beside it, ``edge``: the mean Sobel gradient magnitude of the
   result on the given mask's outline (the pixels of the hole with a known neighbour): an outline of the removed
   object left in the fill raises it (lower is better, but it also rises with the background's own texture there).
2. Composed cases (ground truth; the 432x240 and 320x176 ones): hole PSNR and the hole sharpness ratio, scored on the given (undilated) masks.

Run from the repository root:
    .venv/bin/python benchmarks/halo.py                      # dilations 0 2 4 6
    .venv/bin/python benchmarks/halo.py --dilations 0 3 --frames 12
Writes benchmarks/results/halo.md and the pictures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, command_line, composed_cases, find_data, load_case  # noqa: E402

from videofill.config import get_preset
from videofill.eval.metrics import hole_sharpness_ratio, psnr
from videofill.io.masks import read_masks
from videofill.io.video import read_frames
from videofill.pipeline import inpaint_video


def outline_gradient(frames: np.ndarray, holes: np.ndarray) -> float:
    """Mean Sobel gradient magnitude (grey, 0-255) of ``frames`` on the outline of ``holes``."""
    total, count = 0.0, 0
    for frame, hole in zip(frames, holes):
        outline = hole & (cv2.dilate((~hole).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
        grey = frame.astype(np.float32).mean(axis=2)
        magnitude = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
        total += float(magnitude[outline].sum())
        count += int(outline.sum())
    return total / max(count, 1)


def crop_strip(pictures: list[np.ndarray], hole: np.ndarray, margin: int) -> np.ndarray:
    """The box around ``hole`` (+ margin) cut from each picture, side by side (BGR for cv2.imwrite)."""
    ys, xs = np.nonzero(hole)
    y0, y1 = max(0, ys.min() - margin), min(hole.shape[0], ys.max() + margin)
    x0, x1 = max(0, xs.min() - margin), min(hole.shape[1], xs.max() + margin)
    gap = np.full((y1 - y0, 4, 3), 255, np.uint8)
    parts = []
    for picture in pictures:
        parts += [picture[y0:y1, x0:x1], gap]
    return np.concatenate(parts[:-1], axis=1)[..., ::-1]


def removal_cases(data: Path, frames: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    cases = []
    for name in ("removal_bmx-trees", "removal_schoolgirls"):
        video, holes = load_case(data / name)
        cases.append((name, video[:frames], holes[:frames]))
    vos = data / "vos" / "bmx-trees"
    if vos.is_dir():
        video = read_frames(vos / "frames", 0, frames)
        holes = read_masks(vos / "masks", len(video), (video.shape[2], video.shape[1]), total=len(list((vos / "masks").iterdir())))
        cases.append(("vos_bmx-trees_854x480", video, holes))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--dilations", type=int, nargs="+", default=[0, 2, 4, 6])
    parser.add_argument("--frames", type=int, default=20, help="frames of each clip (default 20)")
    parser.add_argument("--composed", nargs="*", default=None, help="only the composed cases whose name contains one of these (none: skip them)")
    args = parser.parse_args()
    data = find_data(args.data)
    base = get_preset("default")
    lines = [
        "# Default mask dilation: the halo (issue 14)",
        "",
        f"Command: `{command_line()}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; machine: shared 2-core CPU. The default preset otherwise "
        f"(feather {base.feather}, max side {base.max_side}); first {args.frames} frames of each clip.",
        "",
        "## Object-removal clips (look at the pictures)",
        "",
        "`edge`: mean Sobel magnitude on the given mask's outline in the result (an object outline left in the fill "
        "raises it). Pictures: `halo_CASE.png`, the input then one column per dilation, middle frame.",
        "",
        "| clip | " + " | ".join(f"edge, dilate {d}" for d in args.dilations) + " |",
        "|---|" + "---|" * len(args.dilations),
    ]
    for name, video, holes in removal_cases(data, args.frames):
        middle = len(video) // 2
        pictures, edges = [video[middle]], []
        for dilate in args.dilations:
            out = inpaint_video(video, holes, base.replace(dilate=dilate, dilate_side=None)).frames
            pictures.append(out[middle])
            edges.append(outline_gradient(out, holes))
            print(name, dilate, f"edge {edges[-1]:.1f}", flush=True)
        cv2.imwrite(str(RESULTS / f"halo_{name}.png"), crop_strip(pictures, holes[middle], 24))
        lines.append(f"| {name} ({video.shape[2]}x{video.shape[1]}) | " + " | ".join(f"{e:.1f}" for e in edges) + " |")
    lines += [
        "",
        "## Composed cases (scored on the given, undilated masks)",
        "",
        "| case | " + " | ".join(f"PSNR hole / sharpness, dilate {d}" for d in args.dilations) + " |",
        "|---|" + "---|" * len(args.dilations),
    ]
    means = np.zeros((len(args.dilations), 2))
    cases = [case for case in composed_cases(data) if "_hd_" not in case.name]  # the HD case: benchmarks/hd.py
    if args.composed is not None:
        cases = [case for case in cases if any(name in case.name for name in args.composed)]
    for case in cases:
        video, holes = load_case(case)
        video, holes = video[: args.frames], holes[: args.frames]
        cells = []
        for i, dilate in enumerate(args.dilations):
            out = inpaint_video(video, holes, base.replace(dilate=dilate, dilate_side=None)).frames
            scores = psnr(out, video, holes), hole_sharpness_ratio(out, video, holes)
            means[i] += scores
            cells.append(f"{scores[0]:.2f} / {scores[1]:.3f}")
            print(case.name, dilate, cells[-1], flush=True)
        lines.append(f"| {case.name} | " + " | ".join(cells) + " |")
    means /= max(len(cases), 1)
    lines.append("| **mean** | " + " | ".join(f"**{p:.2f} / {s:.3f}**" for p, s in means) + " |")
    (RESULTS / "halo.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
