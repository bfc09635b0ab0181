"""How much the network's fill of what no frame shows depends on its seed, and what the mean of several gives.

On the never-revealed cases of `unseen.py` (a fixed box and a fixed text watermark over four static-camera clips),
the static plate's never-shown region is filled by the paper's network (`videofill.fill.learned.dip_fill`, trained
with the validation copies hidden, as `fill_plate` trains it) with seeds 0 .. K-1, each alone and as the mean of the
first 2 and of all K networks (`runs` of `dip_fill`: the mean is taken from the same trained networks here, not
trained again, and from their fills rounded to grey levels, so it can differ from `dip_fill(runs=K)` by half a
level). Reported per fill: hole PSNR over Telea's (dB) with every frame taking the plate by `blend_plate`, the
copy check's ratio (the fill's squared error on the copies over diffusion's, judged in the frames: until Night 5 of
`results/unseen.md`, `fill_plate` took the network when it was below 1; since, with the network trained it chooses
between the network and its hedge with diffusion) and the hole sharpness ratio. From the repository root:

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/unseen_seeds.py [--data DIR] [--steps 200]
        [--seeds 4] [--cases NAME ...]

Writes `results/unseen_seeds.md` and `.csv`.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import RESULTS, command_line, find_data, mean_row, write_table
from unseen import unseen_cases

from videofill.eval.metrics import hole_sharpness_ratio, psnr
from videofill.fill import synthesis
from videofill.fill.learned import dip_fill
from videofill.fill.propagate import telea_fill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--steps", type=int, default=200, help="Adam steps of each network")
    parser.add_argument("--seeds", type=int, default=4, help="networks trained, seeds 0 .. SEEDS-1")
    parser.add_argument("--cases", nargs="*", default=None, help="only cases whose name contains one of these")
    args = parser.parse_args()
    trained = {}  # (seed, image, hole) -> the image filled by that seed's network

    def cached(image, hole, steps, seed=0, runs=1, **kwargs):  # the mean of runs from the networks already trained
        keys = [(s, image.tobytes(), hole.tobytes()) for s in range(seed, seed + runs)]
        for key in keys:
            if key not in trained:
                trained[key] = dip_fill(image, hole, steps, seed=key[0], **kwargs)
        mean = np.mean([trained[key].astype(np.float64) for key in keys], axis=0)
        return np.clip(np.rint(mean), 0, 255).astype(np.uint8)

    synthesis.dip_fill = cached
    fills = {f"seed {s}": (s, 1) for s in range(args.seeds)} | {"mean of 2": (0, 2), f"mean of {args.seeds}": (0, args.seeds)}
    rows = []
    for name, frames, holes in unseen_cases(find_data(args.data)):
        if args.cases and not any(c in name for c in args.cases):
            continue
        trained.clear()
        cpu = time.process_time()
        spatial = telea_fill(frames, holes)
        plate, never = synthesis.background_plate(spatial, holes)
        telea = psnr(spatial, frames, holes)
        for label, (seed, runs) in fills.items():
            judged = synthesis.fill_plate(plate, never, args.steps, seed=seed, fillers=("diffusion", "network"),
                                          frames=spatial, holes=holes, network_runs=runs)
            forced = synthesis.fill_plate(plate, never, args.steps, seed=seed, fillers=("network",), network_runs=runs)
            video = np.stack([synthesis.blend_plate(f, forced.filled, never & h) for f, h in zip(spatial, holes)])
            rows.append({"case": name, "method": label, "gain_db": psnr(video, frames, holes) - telea,
                         "copy_ratio": judged.errors["network"] / judged.errors["diffusion"],
                         "sharpness": hole_sharpness_ratio(video, frames, holes)})
            print(rows[-1], flush=True)
        print(f"{name}: {time.process_time() - cpu:.0f} CPU s", flush=True)
    for kind in ("box", "text"):
        for label in fills:
            chosen = [r for r in rows if r["method"] == label and r["case"].endswith(kind)]
            if chosen:
                rows.append(mean_row(chosen, ["gain_db", "copy_ratio", "sharpness"], case=f"mean {kind}", method=label))
    notes = (
        f"Each network {args.steps} Adam steps on the plate's crop around the hole and its copies (hidden). gain_db =\n"
        "hole PSNR minus Telea's (every frame takes the network's plate, forced); copy_ratio = squared error on the\n"
        "validation copies over diffusion's (below 1: `fill_plate` would choose the network over diffusion)."
    )
    write_table(rows, RESULTS / "unseen_seeds.md", RESULTS / "unseen_seeds.csv",
                "The network's fill of what no frame shows: one seed at a time, and the mean of several", command_line(),
                notes)
    print(f"wrote {RESULTS / 'unseen_seeds.md'}")


if __name__ == "__main__":
    main()
