"""How each frame takes the static plate's fill: one colour offset where the ring matches (the evening's rule) against
the frame's difference from the plate diffused in (`videofill.fill.synthesis.blend_plate`, the rule now).

On the never-revealed cases of `unseen.py` (a fixed box and a fixed text watermark over four static-camera clips), the
plate's never-shown region is filled by the paper's network (forced, as `unseen.py --groups stage` does), and every
frame takes it by each rule. Reported: hole PSNR (dB), and the temporal error: the mean over hole pixels present in
two consecutive frames of |result change - truth change| (0-255), which a frame that switches between two fills
raises. From the repository root:

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/plate_blend.py [--data DIR] [--steps 400] [--runs 1]

(`results/plate_blend.md` was made with one network of 400 steps, `best`'s filler before the late update of
`unseen.md`; `--steps 200 --runs 2` is today's.)

Writes `results/plate_blend.md` and `.csv`.
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
from common import RESULTS, command_line, find_data, mean_row, write_table
from unseen import unseen_cases

from videofill.eval.metrics import psnr
from videofill.fill.propagate import telea_fill
from videofill.fill.synthesis import background_plate, blend_plate, fill_plate

#: The evening's rule: a part is taken only where the ring around it matches the plate within this (mean |difference|).
OLD_TOLERANCE = 12.0
#: Its ring: this many px around the hole.
OLD_RING_PX = 4


def ring_difference(frame: np.ndarray, plate: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """frame - plate (float32 (N, 3)) over the known ring of :data:`OLD_RING_PX` px around ``hole`` (bool (H, W))."""
    kernel = np.ones((2 * OLD_RING_PX + 1,) * 2, np.uint8)
    ring = (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & ~hole
    return frame[ring].astype(np.float32) - plate[ring].astype(np.float32)


def offset_rule(frame: np.ndarray, filled: np.ndarray, never: np.ndarray) -> np.ndarray:
    """The evening's rule: each part of ``never`` whose ring matches the plate takes the plate's fill plus the mean
    ring difference of the whole region; the other parts keep the frame's pixels. uint8 (H, W, 3)."""
    out = frame.copy()
    offset = ring_difference(frame, filled, never).mean(axis=0)
    count, labels = cv2.connectedComponents(never.astype(np.uint8), connectivity=8)
    for label in range(1, count):
        part = labels == label
        if np.abs(ring_difference(frame, filled, part)).mean() <= OLD_TOLERANCE:
            value = np.clip(filled.astype(np.float32) + offset, 0, 255)
            out[part] = np.rint(value[part]).astype(np.uint8)
    return out


def temporal_error(video: np.ndarray, truth: np.ndarray, holes: np.ndarray) -> float:
    """Mean |change of ``video`` - change of ``truth``| (0-255) between consecutive frames over the pixels that are
    hole in both (uint8 (T, H, W, 3) each, holes bool (T, H, W))."""
    change = np.diff(video.astype(np.float32), axis=0) - np.diff(truth.astype(np.float32), axis=0)
    both = holes[1:] & holes[:-1]
    return float(np.abs(change[both]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--steps", type=int, default=400, help="Adam steps of each network on the plate")
    parser.add_argument("--runs", type=int, default=1, help="networks whose fills are averaged")
    args = parser.parse_args()
    rows = []
    for name, frames, holes in unseen_cases(find_data(args.data)):
        spatial = telea_fill(frames, holes)
        plate, never = background_plate(spatial, holes)
        filled = fill_plate(plate, never, args.steps, fillers=("network",), network_runs=args.runs).filled
        videos = {"Telea": spatial, "offset where the ring matches (before)": spatial.copy(),
                  "difference diffused in (blend_plate, now)": spatial.copy()}
        for t in range(len(frames)):
            region = never & holes[t]
            videos["offset where the ring matches (before)"][t] = offset_rule(spatial[t], filled, region)
            videos["difference diffused in (blend_plate, now)"][t] = blend_plate(spatial[t], filled, region)
        for label, video in videos.items():
            rows.append({"case": name, "method": label, "psnr_hole": psnr(video, frames, holes),
                         "temporal": temporal_error(video, frames, holes)})
            print(rows[-1], flush=True)
    for label in list(dict.fromkeys(r["method"] for r in rows)):
            rows.append(mean_row([r for r in rows if r["method"] == label], ["psnr_hole", "temporal"], case="mean",
                             method=label))
    notes = (
        "The network's plate is forced on every case (as `unseen.py`'s `network (forced)` rows), so the two rules are\n"
        "compared on the same fill; which filler `--quality best` chooses is in `unseen.md`. temporal = mean over hole\n"
        "pixels of |change from frame to frame - the truth's change| (0-255): lower is steadier and closer to the truth."
    )
    write_table(rows, RESULTS / "plate_blend.md", RESULTS / "plate_blend.csv",
                "The static plate's fill in each frame: one offset where the ring matches vs the difference diffused in",
                command_line(), notes)
    print(f"wrote {RESULTS / 'plate_blend.md'}")


if __name__ == "__main__":
    main()
