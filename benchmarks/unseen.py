"""What no frame shows: `--quality fast` (propagation) against `--quality best` (plus texture synthesis) and Telea.

Two groups of cases, from the repository root:

    .venv/bin/python benchmarks/unseen.py [--data DIR] [--groups unseen shared removal] [--network STEPS]
        [--layout centre|offset] [--out DIR]

- ``unseen``: never-revealed holes composed from the static-camera clips (cups, bedroom, coffee HD downscaled to
  432x240, schoolgirls' frames): a fixed box of 5 % of the frame (centred; on schoolgirls moved off the girls'
  masks so the truth is background) and a fixed text watermark (``cv2.putText``) over the lower part of the frame.
  The frames are the ground truth.
- ``shared``: the five composed cases of the shared data (not the HD one), masks as shipped.
- ``removal``: removal_schoolgirls (no truth): frames and temporal slices saved to look at (also with
  ``--unseen-filler patches`` and ``--unseen-filler exemplar``).
- ``stage``: the ``unseen`` cases, the synthesis stage alone (``synthesize_video``, static camera) on the Telea fill:
  what ``best`` adds where propagation finds no copy, in seconds.

With ``--network STEPS`` the paper's network (the default preset's DIP-Vid-Flow correction, trained on the window
around the holes, unseen pixels not pulled towards any guide) is run on top of `best` on the ``unseen`` group: the
comparison the issue asks for. Writes ``unseen.md`` / ``unseen.csv`` and pictures in ``unseen/``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from common import RESULTS, command_line, composed_cases, find_data, load_case, mean_row, write_table

from videofill.config import get_preset
from videofill.eval.metrics import hole_sharpness_ratio, psnr
from videofill.fill.learned import dip_fill
from videofill.fill.propagate import telea_fill
from videofill.pipeline import inpaint_video
from videofill.viz import comparison_figure, save_image, temporal_slice_figure

STATIC = ["composed_sam2-cups_x_schoolgirls", "composed_sam2-bedroom_x_bmx-trees", "composed_hd_sam2-coffee_x_blackswan", "removal_schoolgirls"]
SHARED = ["car-roundabout", "kite-surf", "soapbox", "sam2-bedroom", "sam2-cups"]
HD_SIZE = (432, 240)


#: Where the never-revealed holes lie: the benchmark's own layout, and a second one (a box centred at a third of the
#: frame, the watermark in the upper part) to check a choice made on the first on other content of the same clips.
LAYOUTS = ("centre", "offset")


def box_mask(height: int, width: int, avoid: np.ndarray | None = None, layout: str = "centre") -> np.ndarray:
    """A box of 5 % of the frame (a quarter of the width, a fifth of the height): centred (``layout`` "offset":
    centred at a third of the height and of the width), or, with ``avoid`` (bool (H, W)), where it overlaps it least
    (the nearest such spot to that one), scanning a coarse grid."""
    bh, bw = round(0.2 * height), round(0.25 * width)
    centre = (0.5, 0.5) if layout == "centre" else (1 / 3, 1 / 3)
    spots = [(round(centre[0] * height - bh / 2), round(centre[1] * width - bw / 2))]
    if avoid is not None:
        spots = sorted(((y, x) for y in range(0, height - bh + 1, 8) for x in range(0, width - bw + 1, 8)),
                       key=lambda s: (avoid[s[0] : s[0] + bh, s[1] : s[1] + bw].sum(), abs(s[0] - spots[0][0]) + abs(s[1] - spots[0][1])))
    y, x = spots[0]
    mask = np.zeros((height, width), bool)
    mask[y : y + bh, x : x + bw] = True
    return mask


def watermark_mask(height: int, width: int, layout: str = "centre") -> np.ndarray:
    """The word "SAMPLE" drawn with cv2.putText across 60 % of the width, in the lower third (``layout`` "offset":
    "VIDEO", its baseline at 35 % of the height), dilated by 1 px."""
    word, baseline = ("SAMPLE", 0.8) if layout == "centre" else ("VIDEO", 0.35)
    canvas = np.zeros((height, width), np.uint8)
    thickness = max(2, height // 60)
    scale = 1.0
    text_w = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)[0][0]
    scale *= 0.6 * width / text_w
    (text_w, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    cv2.putText(canvas, word, ((width - text_w) // 2, int(baseline * height)), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness, cv2.LINE_AA)
    return cv2.dilate((canvas > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0


def unseen_cases(data: Path, layout: str = "centre"):
    """(name, frames, holes) of the never-revealed cases, their holes laid out as ``layout`` (:data:`LAYOUTS`)."""
    for name in STATIC:
        frames, shipped = load_case(data / name)
        if frames.shape[2] > HD_SIZE[0]:
            frames = np.stack([cv2.resize(f, (HD_SIZE[0], round(f.shape[0] * HD_SIZE[0] / f.shape[1])), interpolation=cv2.INTER_AREA)[: HD_SIZE[1]] for f in frames])
        count, height, width = frames.shape[:3]
        avoid = shipped.any(axis=0) if name.startswith("removal_") else None
        if avoid is not None and avoid.shape != (height, width):
            avoid = None
        short = name.replace("composed_", "").replace("hd_", "").split("_x_")[0]
        yield f"{short} box", frames, np.repeat(box_mask(height, width, avoid, layout)[None], count, axis=0)
        yield f"{short} text", frames, np.repeat(watermark_mask(height, width, layout)[None], count, axis=0)


def save_hole_crops(path: Path, shown: dict, hole: np.ndarray, scale: int = 2) -> None:
    """Save ``shown`` (label -> uint8 (H, W, 3), one frame each) side by side, cropped to the bounding box of ``hole``
    (bool (H, W), not empty) grown by 16 px and enlarged ``scale`` times (nearest neighbour)."""
    ys, xs = np.nonzero(hole)
    y0, y1, x0, x1 = max(0, ys.min() - 16), ys.max() + 17, max(0, xs.min() - 16), xs.max() + 17
    crops = {label: cv2.resize(frame[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
             for label, frame in shown.items()}
    save_image(path, comparison_figure(crops, columns=len(crops)))


def measure(name, frames, holes, configs, out_dir, seconds_budget=None):
    """Rows (one per method) of full PSNR, hole PSNR and hole sharpness ratio; saves a figure and a temporal slice."""
    rows, results = [], {}
    started, cpu = time.perf_counter(), time.process_time()
    results["Telea"] = telea_fill(frames, holes)
    timings = {"Telea": (time.perf_counter() - started, time.process_time() - cpu)}
    for label, config in configs.items():
        started, cpu = time.perf_counter(), time.process_time()
        results[label] = inpaint_video(frames, holes, config).frames
        timings[label] = (time.perf_counter() - started, time.process_time() - cpu)
    for label, result in results.items():
        full = float(np.mean([min(psnr(r, f), 100.0) for r, f in zip(result, frames)]))
        row = {"case": name, "method": label, "psnr": full, "psnr_hole": psnr(result, frames, holes),
               "sharpness": hole_sharpness_ratio(result, frames, holes), "seconds": timings[label][0], "cpu_s": timings[label][1]}
        rows.append(row)
        print(f"{name:22s} {label:10s} PSNR {full:6.2f}  hole {row['psnr_hole']:6.2f}  sharp {row['sharpness']:.2f}  {row['seconds']:.1f}s wall {row['cpu_s']:.1f}s cpu", flush=True)
    slug = name.replace(" ", "_")
    middle = len(frames) // 2
    shown = {"input": np.where(holes[..., None], 0, frames)[middle], **{k: v[middle] for k, v in results.items()}, "truth": frames[middle]}
    save_image(out_dir / f"{slug}.png", comparison_figure(shown, columns=len(shown)))
    if holes[middle].any():  # the same, cropped to the hole and enlarged (ghosts, smears)
        save_hole_crops(out_dir / f"{slug}_hole.png", shown, holes[middle])
    ys = np.nonzero(holes.any(axis=(0, 2)))[0]
    row = int(ys[len(ys) // 2])
    slices = {k: v for k, v in results.items()} | {"truth": frames}
    save_image(out_dir / f"{slug}_slice.png", temporal_slice_figure(slices, row, holes, time_scale=2))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--groups", nargs="*", default=["unseen", "shared", "removal"])
    parser.add_argument("--cases", nargs="*", default=None, help="only cases whose name contains one of these")
    parser.add_argument("--network", type=int, default=0, help="also train the network STEPS steps on top of best (unseen group)")
    parser.add_argument("--layout", choices=LAYOUTS, default="centre", help="where the never-revealed holes lie")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--dilate", type=int, default=None, help="grow holes by N px (exact pixels; default: the preset's 2 px per 432 px)")
    args = parser.parse_args()
    data = find_data(args.data)
    pictures = args.out / "unseen"
    pictures.mkdir(parents=True, exist_ok=True)
    fast = get_preset("default")
    if args.dilate is not None:  # the composed cases' masks are exact: the default's growth only costs there
        fast = fast.replace(dilate=args.dilate, dilate_side=None)
    best = fast.replace(quality="best")
    configs = {"fast": fast, "best": best}
    # the shared and removal groups also show propagation's other way of combining the copies (ghosting)
    combined = configs | {"best, median": best.replace(combine="median"), "fast, one copy": fast.replace(combine="one"),
                          "best, one copy": best.replace(combine="one")}
    rows = []
    if "unseen" in args.groups:
        unseen_configs = dict(configs)
        if args.network:
            unseen_configs["best+net"] = best.replace(max_steps=args.network, guide_untrusted=0.0)
        group = []
        for name, frames, holes in unseen_cases(data, args.layout):
            if args.cases and not any(c in name for c in args.cases):
                continue
            group += measure(name, frames, holes, unseen_configs, pictures)
        for kind in ("box", "text"):
            for label in ["Telea", *unseen_configs]:
                chosen = [r for r in group if r["method"] == label and r["case"].endswith(kind)]
                if chosen:
                    group.append(mean_row(chosen, ["psnr", "psnr_hole", "sharpness", "seconds", "cpu_s"], case=f"mean {kind}", method=label))
        rows += group
    if "stage" in args.groups:  # the synthesis stage alone on the Telea fill (what `best` adds when no copy exists)
        from videofill.fill import synthesis

        steps, runs = best.unseen_steps, best.unseen_runs
        trained = {}

        def dip_once(image, hole, *a, **k):  # one training per case: the forced and the chosen rows share it
            key = (np.where(hole[..., None], 0, image).tobytes(), hole.tobytes())  # it never reads the hole
            if key not in trained:
                trained[key] = dip_fill(image, hole, *a, **k)
            return trained[key]

        synthesis.dip_fill = dip_once
        membrane = ("membrane",)
        variants = {  # label -> fillers (forced ones: no diffusion among them, so nothing is measured)[, smooths]
            "best: all fillers (chosen)": synthesis.FILLERS,  # first: its CPU seconds include the network's training
            "best, diffusion = membrane": (synthesis.FILLERS, membrane),
            "diffusion+patches (chosen)": ("diffusion", "patches"),  # what best chooses without the network
            "diffusion (chosen smooth)": ("diffusion",),
            "membrane": (("diffusion",), membrane),
            "patches (forced)": ("patches",),
            "exemplar (forced)": ("exemplar",),
            f"network {runs}x{steps} (forced)": ("network",),
            "network+diffusion (forced)": (synthesis.NETWORK_AND_DIFFUSION,),
            "exemplar+network (forced)": (synthesis.EXEMPLAR_AND_NETWORK,),
        }
        group = []
        for name, frames, holes in unseen_cases(data, args.layout):
            if args.cases and not any(c in name for c in args.cases):
                continue
            trained.clear()
            spatial = telea_fill(frames, holes)
            videos = {"Telea": (spatial, None)}
            for label, fillers in variants.items():
                fillers, smooths = fillers if isinstance(fillers[0], tuple) else (fillers, synthesis.SMOOTHS)
                cpu = time.process_time()
                video = synthesis.synthesize_video(spatial, holes, holes, None, network_steps=steps, fillers=fillers,
                                                   network_runs=runs, smooths=smooths)
                videos[label] = (video, time.process_time() - cpu)
            for label, (video, cpu) in videos.items():
                full = float(np.mean([min(psnr(r, f), 100.0) for r, f in zip(video, frames)]))
                group.append({"case": name, "method": label, "psnr": full, "psnr_hole": psnr(video, frames, holes),
                              "sharpness": hole_sharpness_ratio(video, frames, holes), "seconds": None, "cpu_s": cpu})
                print(group[-1], flush=True)
            middle = len(frames) // 2
            shown = {"input": np.where(holes[..., None], 0, frames)[middle], **{k: v[0][middle] for k, v in videos.items()}, "truth": frames[middle]}
            save_image(pictures / f"stage_{name.replace(' ', '_')}.png", comparison_figure(shown, columns=len(shown)))
        for kind in ("box", "text"):
            for label in ["Telea", *variants]:
                chosen = [r for r in group if r["method"] == label and r["case"].endswith(kind)]
                if chosen:
                    group.append(mean_row(chosen, ["psnr", "psnr_hole", "sharpness", "cpu_s"], case=f"mean {kind}", method=label))
        rows += group
    if "shared" in args.groups:
        group = []
        for case in composed_cases(data, SHARED):
            if args.cases and not any(c in case.name for c in args.cases):
                continue
            frames, holes = load_case(case)
            group += measure(case.name.replace("composed_", ""), frames, holes, combined, pictures)
        for label in ["Telea", *combined]:
            chosen = [r for r in group if r["method"] == label]
            if chosen:
                group.append(mean_row(chosen, ["psnr", "psnr_hole", "sharpness", "seconds", "cpu_s"], case="mean shared", method=label))
        rows += group
    if "removal" in args.groups:
        frames, holes = load_case(data / "removal_schoolgirls")
        removal = combined | {"best, --unseen-filler patches": best.replace(unseen_filler="patches"),
                              "best, --unseen-filler exemplar": best.replace(unseen_filler="exemplar")}
        results = {"input": frames, **{label: inpaint_video(frames, holes, config).frames for label, config in removal.items()}}
        for t in (0, len(frames) // 2, len(frames) - 1):
            save_image(pictures / f"removal_schoolgirls_{t:02d}.png", comparison_figure({k: v[t] for k, v in results.items()}, columns=len(results)))
        row = int(np.nonzero(holes.any(axis=(0, 2)))[0].mean())
        save_image(pictures / "removal_schoolgirls_slice.png", temporal_slice_figure(results, row, holes, time_scale=2))
    title = "What no frame shows: --quality fast vs best (texture synthesis) vs Telea"
    notes = "\n".join([
        "Methods: `Telea` = frame-wise OpenCV Telea (radius 3); `fast` = `--quality fast`, the default preset's flow-guided",
        "propagation; `best` = `--quality best`: the same plus `videofill.fill.synthesis` on the hole pixels no other frame",
        "shows (static camera: one background plate per clip, its never-shown region filled once by the paper's network",
        "trained on the plate, its hedge with diffusion (the network's detail finer than 4 px on diffusion's coarse part)",
        "or exemplar copies (Criminisi et al. 2004, guided by diffusion or by the hedge, their detail at 0.8 of its",
        "contrast, on the hedge's coarse part on wide regions): the lowest error on copies",
        "of the region among those that keep 0.6 of the copies' texture; without the network, PatchMatch patches or",
        "exemplar copies on parts that hold a 6 px disc, or diffusion (the membrane, the thin plate or their mean,",
        "whichever measures best on the copies); carried into every frame with the frame's own difference from the plate",
        "diffused in by the membrane; moving camera: patches frame by frame).",
        "",
        "Columns: PSNR = mean over frames of the full-frame PSNR (dB); PSNR hole = one MSE over every hole pixel of the clip;",
        "sharpness = hole sharpness ratio (mean Sobel gradient magnitude of the grey image over the hole pixels, result over",
        "truth); seconds = wall time, cpu_s = CPU time of the process (the 2-core machine was shared with other jobs at a",
        "load average of 5-20, so wall times are inflated several times; cpu_s is the fairer cost).",
        "Pictures: `unseen/CASE.png` (middle frame: input, Telea, fast, best, truth) and `unseen/CASE_slice.png` (temporal",
        "slices through the hole's middle row, time downwards); removal_schoolgirls: `unseen/removal_schoolgirls_*.png`.",
    ])  # fmt: skip
    write_table(rows, args.out / "unseen.md", args.out / "unseen.csv", title, command_line(), notes)
    print(f"wrote {args.out / 'unseen.md'}")


if __name__ == "__main__":
    main()
