"""Other ways to fill what no frame shows, measured against the library's: the network's output averaged over its
last steps, its noise input perturbed at every step, and the mean of two fillers' fills.

On the never-revealed cases of `unseen.py` (a fixed box and a fixed text watermark over four static-camera clips),
the static plate's never-shown region is filled as `fill_plate` fills it (copies hidden, `InpaintConfig.unseen_steps`
Adam steps for each of `unseen_runs` networks), and by these variants of it:

- ``network``: the library's (the mean of the networks' last outputs);
- ``network, averaged``: the mean of each network's outputs over the second half of its steps (the outputs the
  training computes anyway; an average over the trajectory, as Bayesian readings of the deep image prior suggest);
- ``network + patches`` / ``network, averaged + patches`` / ``network + diffusion``: the mean of two fills (squared
  error is convex: never worse than the two on average);
- with ``--perturb S``: the networks are trained with their noise input perturbed by Gaussian noise of std S at every
  step (the deep image prior's own inpainting setting uses 0.03).

Reported per fill: hole PSNR over Telea's (dB) with every frame taking the plate by `blend_plate`, the hole sharpness
ratio, and the copy check's ratio (squared error on the validation copies over diffusion's, judged in the frames:
below 1 `fill_plate` would choose it). From the repository root:

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/unseen_variants.py [--data DIR] [--perturb 0 0.03]
        [--cases NAME ...] [--layout centre|offset] [--out PATH]

``--layout offset`` lays the holes elsewhere on the same clips (`unseen.LAYOUTS`): a check, on other content, of a
choice made on the benchmark's own layout.

Written for `fill_plate` as it was before Night 5 of `results/unseen.md`, and kept as it was: its "diffusion" is
Telea and its "network + diffusion" the plain mean with Telea; since `fill_plate` runs patches only without the
network, the patch variants' copy ratios are no longer computed (their hole figures still are).

Writes `results/unseen_variants.md` and `.csv` (``--out``: another path, without extension).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from common import RESULTS, command_line, find_data, mean_row, write_table
from unseen import LAYOUTS, unseen_cases

from videofill.config import InpaintConfig
from videofill.eval.metrics import hole_sharpness_ratio, psnr
from videofill.fill import synthesis
from videofill.fill.learned import DIP_CHANNELS, DIP_LR, DIP_MARGIN, DIP_NOISE, crop_around, smallest_side
from videofill.fill.losses import reconstruction_loss
from videofill.fill.networks import EncoderDecoder
from videofill.fill.propagate import telea_fill


def train(target, known, steps, seed, perturb):
    """One network as `learned._train_one` trains it (tensors (1, 3, h, w) in [0, 1], bool (1, 1, h, w)), its input
    perturbed by N(0, perturb) each step: (last output, mean output over the second half of the steps), float
    (h, w, 3) in [0, 1]."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    network = EncoderDecoder(channels=DIP_CHANNELS, flow_channels=0)
    noise = torch.rand((1, 1, *target.shape[-2:]), generator=generator) * DIP_NOISE
    optimizer = torch.optim.Adam(network.parameters(), lr=DIP_LR)
    total, counted = torch.zeros_like(target), 0
    for step in range(steps):
        generated, _ = network(noise + perturb * torch.randn_like(noise) if perturb else noise)
        loss = reconstruction_loss(generated, target, known)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step >= steps // 2:
            total += generated.detach()
            counted += 1
    with torch.no_grad():
        last, _ = network(noise)
    as_image = lambda x: x[0].permute(1, 2, 0).numpy()
    return as_image(last), as_image(total / counted)


def mean_of(a, b):
    return np.rint((a.astype(np.float32) + b) / 2).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--perturb", type=float, nargs="*", default=[0.0, 0.03], help="std of the input perturbation")
    parser.add_argument("--cases", nargs="*", default=None, help="only cases whose name contains one of these")
    parser.add_argument("--layout", choices=LAYOUTS, default="centre", help="where the holes lie (unseen.py's LAYOUTS)")
    parser.add_argument("--out", type=Path, default=RESULTS / "unseen_variants")
    args = parser.parse_args()
    steps, runs = InpaintConfig(quality="best").unseen_steps, InpaintConfig(quality="best").unseen_runs
    variants = {}  # what the patched dip_fill trained last: name -> the image with the hole filled

    def dip_variants(image, hole, steps, seed=0, runs=1, **kwargs):  # stands in for learned.dip_fill
        rows, cols = crop_around(hole, DIP_MARGIN, 2 ** len(DIP_CHANNELS), least=smallest_side())
        inside = hole[rows, cols]
        target = torch.from_numpy(image[rows, cols]).permute(2, 0, 1)[None].float() / 255
        known = torch.from_numpy(~inside)[None, None]
        outputs = [train(target, known, steps, seed + run, perturb) for run in range(runs)]
        for index, name in enumerate(("network", "network, averaged")):
            mean = np.mean([o[index] for o in outputs], axis=0)
            filled = image.copy()
            filled[rows, cols][inside] = np.clip(np.rint(mean * 255), 0, 255).astype(np.uint8)[inside]
            variants[name] = filled
        return variants["network"]

    copy_errors = synthesis._copy_errors
    judged = {}

    def with_variants(trials, plate, tested, frames=None, holes=None):  # the copy check, also on the variants
        extra = dict(trials, **{"network, averaged": variants["network, averaged"]})
        extra["network + diffusion"] = mean_of(trials["network"], trials["diffusion"])
        if "patches" in trials:
            extra["network + patches"] = mean_of(trials["network"], trials["patches"])
            extra["network, averaged + patches"] = mean_of(variants["network, averaged"], trials["patches"])
        judged.clear()
        judged.update(copy_errors(extra, plate, tested, frames, holes))
        return {name: judged[name] for name in trials}

    synthesis.dip_fill = dip_variants
    synthesis._copy_errors = with_variants
    rows = []
    for perturb in args.perturb:
        for name, frames, holes in unseen_cases(find_data(args.data), args.layout):
            if args.cases and not any(c in name for c in args.cases):
                continue
            cpu = time.process_time()
            variants.clear()  # filled again below: a case without copies or network must not show the last case's
            judged.clear()
            spatial = telea_fill(frames, holes)
            plate, never = synthesis.background_plate(spatial, holes)
            synthesis.fill_plate(plate, never, steps, frames=spatial, holes=holes, network_runs=runs)
            if not variants or not judged:
                print(f"{name}: no copies or no network; skipped", flush=True)
                continue
            patched = synthesis.fill_plate(plate, never, steps, fillers=("patches",)).filled
            diffused = synthesis._telea(plate, never)
            fills = {"diffusion": diffused, "patches": patched, **variants}
            fills["network + patches"] = mean_of(variants["network"], patched)
            fills["network, averaged + patches"] = mean_of(variants["network, averaged"], patched)
            fills["network + diffusion"] = mean_of(variants["network"], diffused)
            telea = psnr(spatial, frames, holes)
            for label, fill in fills.items():
                filled = plate.copy()  # the plate's own pixels around the region, as fill_plate returns it
                filled[never] = fill[never]
                video = np.stack([synthesis.blend_plate(f, filled, never & h) for f, h in zip(spatial, holes)])
                rows.append({"case": name, "method": label, "perturb": perturb,
                             "gain_db": psnr(video, frames, holes) - telea,
                             "sharpness": hole_sharpness_ratio(video, frames, holes),
                             "copy_ratio": judged[label] / judged["diffusion"] if label in judged else None})
            print(f"{name} (perturb {perturb}): {time.process_time() - cpu:.0f} CPU s", flush=True)
    cases = [r for r in rows if not r["case"].startswith("mean")]
    for perturb in args.perturb:
        for kind in ("box", "text"):
            for label in dict.fromkeys(r["method"] for r in cases):
                chosen = [r for r in cases if r["method"] == label and r["perturb"] == perturb and r["case"].endswith(kind)]
                if chosen:
                    rows.append(mean_row(chosen, ["gain_db", "sharpness"], case=f"mean {kind}", method=label,
                                         perturb=perturb) | {"copy_ratio": None})
    notes = (
        f"Each network {steps} Adam steps, {runs} networks (seeds 0 .., the means of their fills), as `--quality best`\n"
        "trains them; diffusion and patches as `fill_plate`'s candidates. gain_db: hole PSNR minus Telea's, every\n"
        "frame taking the fill by `blend_plate`; copy ratio: squared error on the validation copies over diffusion's\n"
        "(`fill_plate` chooses the lowest below 1); n/a on the mean rows."
    )
    write_table(rows, args.out.with_suffix(".md"), args.out.with_suffix(".csv"),
                "What no frame shows: variants of the network and means of two fills", command_line(), notes)
    print(f"wrote {args.out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
