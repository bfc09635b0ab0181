"""What a fill of the never-revealed holes could reach at best: the ceilings of issue 15's targets on its cases.

`--quality best` gives a region no frame shows one static picture, carried into every frame with the frame's own
difference from the plate (``synthesis.blend_plate``). This script measures, on the never-revealed cases of
``benchmarks/unseen.py`` (both layouts), what such a fill scores when parts of it are taken from the ground truth:

- ``best static fill``: built from the truth, the one static picture with the lowest squared error through
  ``blend_plate`` (per pixel, the mean over the frames of the truth minus the difference ``blend_plate`` adds): the
  hole PSNR no fill of this kind exceeds, the network's included (not a ceiling of sharpness: a time average blurs
  what moves). Where the hidden content moves (a hand, people), even it gains less over Telea's frame-by-frame fill.
- ``truth's coarse part (S px) + X's detail``: that picture's Gaussian blur of sigma S plus X's detail finer than S
  (X minus its own blur), X being diffusion (the smooth fill ``best`` chooses, almost no detail) or exemplar copies
  guided by it (texture of this video at full contrast): a fill that guessed the hidden coarse structure perfectly
  and added texture of its own, as ``best``'s hedge does on diffusion's coarse part.
- ``diffusion (chosen smooth)``, and ``best`` as measured by ``benchmarks/unseen.py --groups stage`` (read from
  ``unseen_stage.csv`` / ``unseen_stage_offset.csv``, another run on the same machine) for comparison.

Command, from the repository root (a few minutes; no network is trained):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/unseen_ceiling.py [--data DIR] [--out DIR]

Writes ``unseen_ceiling.md``, ``unseen_ceiling.csv`` and, per case, the middle frame cropped to the hole in
``unseen/ceiling/``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import cv2
import numpy as np
from common import RESULTS, command_line, find_data, machine_line, mean_row, write_table
from unseen import LAYOUTS, save_hole_crops, unseen_cases

from videofill.eval.metrics import hole_sharpness_ratio, psnr
from videofill.fill import synthesis
from videofill.fill.exemplar import exemplar_fill
from videofill.fill.propagate import telea_fill

#: The Gaussian sigmas (px) below which the truth's coarse part is given.
COARSE_SIGMAS_PX = (4.0, 2.0)
#: The stage benchmark's CSV per layout (its `best` rows are shown beside the ceilings).
STAGE_CSV = {"centre": "unseen_stage.csv", "offset": "unseen_stage_offset.csv"}
BEST_LABEL = "best: all fillers (chosen)"
#: The rows shown in the pictures (middle frame, cropped to the hole).
SHOWN = ("diffusion (chosen smooth)", "best static fill (the truth's)", "truth's coarse part (4 px) + exemplar copies' detail")


def best_static_fill(truth: np.ndarray, spatial: np.ndarray, plate: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The static picture of ``region`` that, carried into every frame by ``synthesis.blend_plate``, is closest to the
    truth in squared error: per pixel the mean over frames of truth - the frame's spread difference.

    Args:
        truth: uint8 (T, H, W, 3), the ground truth; spatial: uint8 (T, H, W, 3), the frames ``blend_plate`` is given
            (only their pixels outside ``region`` are read); plate: uint8 (H, W, 3); region: bool (H, W).

    Returns:
        uint8 (H, W, 3): ``plate`` with ``region`` replaced.
    """
    total = None
    for frame, true_frame in zip(spatial, truth):
        rows, cols, inside, spread = synthesis._spread_difference(frame, plate, region)
        target = true_frame[rows, cols].astype(np.float64) - spread
        total = target if total is None else total + target
    out = plate.copy()
    crop = out[rows, cols]
    crop[inside] = np.clip(np.rint(total / len(truth)), 0, 255).astype(np.uint8)[inside]
    return out


def coarse_with_detail(coarse_source: np.ndarray, detail_source: np.ndarray, sigma: float) -> np.ndarray:
    """``coarse_source``'s Gaussian blur of ``sigma`` px plus ``detail_source``'s detail finer than that (itself minus
    its blur), uint8 (H, W, 3) each, rounded (``synthesis``'s hedge with another coarse part)."""
    coarse, detail = coarse_source.astype(np.float32), detail_source.astype(np.float32)
    out = cv2.GaussianBlur(coarse, (0, 0), sigma) + detail - cv2.GaussianBlur(detail, (0, 0), sigma)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def save_crops(path: Path, truth: np.ndarray, holes: np.ndarray, frames: dict) -> None:
    """Save ``frames`` (label -> uint8 (H, W, 3), the middle frame) between the input and the truth's middle frame,
    cropped to the hole (enlarged twice when the crop is narrower than 240 px: the boxes)."""
    middle = len(truth) // 2
    hole = holes[middle]
    shown = {"input": np.where(hole[..., None], 0, truth[middle]), **frames, "truth": truth[middle]}
    xs = np.nonzero(hole.any(axis=0))[0]
    save_hole_crops(path, shown, hole, scale=2 if xs.max() - xs.min() + 33 < 240 else 1)


def stage_rows(folder: Path, layout: str) -> dict:
    """case -> the stage benchmark's `best` row of ``layout`` (empty when its CSV is not there)."""
    path = folder / STAGE_CSV[layout]
    if not path.exists():
        return {}
    with path.open() as handle:
        return {row["case"]: row for row in csv.DictReader(handle) if row["method"] == BEST_LABEL}


def main() -> None:
    """Score the ceilings' rows on every never-revealed case of both layouts; write the report, CSV and pictures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    data = find_data(args.data)
    rows = []
    for layout in LAYOUTS:
        stage = stage_rows(RESULTS, layout)
        group = []
        for name, truth, holes in unseen_cases(data, layout):
            spatial = telea_fill(truth, holes)
            plate, never = synthesis.background_plate(spatial, holes)
            smooth = synthesis.fill_plate(plate, never, fillers=("diffusion",), frames=spatial, holes=holes).filled
            exemplar = exemplar_fill(smooth, never, source=~never, guide=smooth)
            ceiling = best_static_fill(truth, spatial, plate, never)
            plates = {"diffusion (chosen smooth)": smooth, "best static fill (the truth's)": ceiling}
            for sigma in COARSE_SIGMAS_PX:
                plates[f"truth's coarse part ({sigma:g} px) + diffusion's detail"] = coarse_with_detail(ceiling, smooth, sigma)
                plates[f"truth's coarse part ({sigma:g} px) + exemplar copies' detail"] = coarse_with_detail(ceiling, exemplar, sigma)
            telea = psnr(spatial, truth, holes)
            results = {"Telea": (telea, hole_sharpness_ratio(spatial, truth, holes))}
            if name in stage:
                results["best (stage benchmark)"] = (float(stage[name]["psnr_hole"]), float(stage[name]["sharpness"]))
            videos = {}
            for label, filled in plates.items():
                video = np.stack([synthesis.blend_plate(frame, filled, never) for frame in spatial])
                videos[label] = video[len(truth) // 2]
                results[label] = (psnr(video, truth, holes), hole_sharpness_ratio(video, truth, holes))
            save_crops(args.out / "unseen" / "ceiling" / f"{layout}_{name.replace(' ', '_')}.png", truth, holes,
                       {"Telea": spatial[len(truth) // 2], **{label: videos[label] for label in SHOWN}})
            for label, (hole_psnr, sharpness) in results.items():
                group.append({"layout": layout, "case": name, "method": label, "psnr_hole": hole_psnr,
                              "gain_db": hole_psnr - telea, "sharpness": sharpness})
                print(f"{layout:6s} {name:24s} {label:58s} {hole_psnr - telea:+6.2f} dB  sharp {sharpness:.2f}", flush=True)
        for kind in ("box", "text"):
            for label in dict.fromkeys(r["method"] for r in group):
                chosen = [r for r in group if r["method"] == label and r["case"].endswith(kind)]
                if chosen:
                    group.append(mean_row(chosen, ["psnr_hole", "gain_db", "sharpness"], layout=layout,
                                          case=f"mean {kind}", method=label))
        rows += group
    notes = (f"Machine: {machine_line()}\n\nPSNR hole: one MSE over every hole pixel of the clip; hole PSNR over Telea: its "
             "difference from the Telea row of the case (dB); sharpness: hole sharpness ratio (result over truth). "
             "Issue 15's targets, per kind and layout: over Telea >= +1 dB and sharpness >= 0.6. The truth's coarse part "
             "is the best static fill's Gaussian blur.")
    write_table(rows, args.out / "unseen_ceiling.md", args.out / "unseen_ceiling.csv",
                "The ceilings of the never-revealed holes: fills built from the truth", command_line(), notes)


if __name__ == "__main__":
    main()
