"""Benchmark of videofill.track on the DAVIS clips of the shared data: J and F per clip, seconds and peak memory.

Scenarios: ``one`` (frame 0's true mask), ``three`` (first, middle and last frame's true masks), ``box`` (the
bounding box of frame 0's true mask). Methods: see videofill.track.tracker (net, flow, colour, appearance).
Means of J and F leave out the marked frames and the last frame (DAVIS leaves out the first and the last).
Each run is a child process so that its peak RSS (``ru_maxrss``: frames, masks and tracker) is its own.

    PYTHONPATH=src python benchmarks/track.py [DATA] [--clips a b] [--methods net flow] [--scenarios one three box]
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing as mp
import resource
import shlex
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from videofill.track import Mark, TrackConfig, mask_scores, track

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SCENARIOS = ("one", "three", "box")


def read_clip(folder: Path, max_frames: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(frames uint8 (T, H, W, 3) RGB, masks bool (T, H, W)) of one clip folder (frames/*.jpg, masks/*.png)."""
    fs = sorted((folder / "frames").glob("*.jpg"))
    ms = sorted((folder / "masks").glob("*.png"))
    if max_frames:
        fs, ms = fs[:max_frames], ms[:max_frames]
    frames = np.stack([cv2.imread(str(p))[..., ::-1] for p in fs])
    masks = np.stack([cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 127 for p in ms])
    return np.ascontiguousarray(frames), masks


def make_marks(truth: np.ndarray, scenario: str) -> list[Mark]:
    """The marks of a scenario, from the true masks bool (T, H, W)."""
    t = len(truth)
    if scenario == "one":
        return [Mark(0, mask=truth[0])]
    if scenario == "three":
        return [Mark(i, mask=truth[i]) for i in sorted({0, t // 2, t - 1})]
    ys, xs = np.nonzero(truth[0])
    return [Mark(0, box=(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))]


def _child(folder: str, scenario: str, cfg: TrackConfig, max_frames: int, preview: str, q) -> None:
    frames, truth = read_clip(Path(folder), max_frames)
    marks = make_marks(truth, scenario)
    t0, c0 = time.perf_counter(), time.process_time()
    pred = track(frames, marks, config=cfg)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    exclude = sorted({m.frame for m in marks} | {len(truth) - 1})
    s = mask_scores(pred, truth, exclude=exclude)
    if preview:
        write_preview(frames, pred, truth, Path(preview))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB -> GiB
    q.put({"J": s["J_mean"], "F": s["F_mean"], "J_frames": s["J"], "seconds": seconds, "cpu": cpu, "rss": rss,
           "frames": len(frames)})


def run_one(folder: Path, scenario: str, cfg: TrackConfig, max_frames: int, preview: str = "") -> dict:
    """Track one clip in a child process; its scores, seconds of track() and peak RSS (GiB)."""
    q = mp.get_context("spawn").Queue()
    p = mp.get_context("spawn").Process(target=_child, args=(str(folder), scenario, cfg, max_frames, preview, q))
    p.start()
    res = q.get()
    p.join()
    return res


def write_preview(frames: np.ndarray, pred: np.ndarray, truth: np.ndarray, path: Path, n: int = 5) -> None:
    """A strip of n frames (evenly spaced), each 1/4 size, predicted outline red, true outline green; PNG."""
    idx = np.linspace(0, len(frames) - 1, n).round().astype(int)
    tiles = []
    for i in idx:
        img = np.ascontiguousarray(frames[i][..., ::-1])
        for m, col in ((truth[i], (0, 200, 0)), (pred[i], (0, 0, 255))):
            cs, _ = cv2.findContours(m.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            cv2.drawContours(img, cs, -1, col, 3)
        h, w = img.shape[:2]
        img = cv2.resize(img, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
        cv2.putText(img, str(i), (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
        tiles.append(img)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_small_png(np.concatenate(tiles, 1)[..., ::-1], path)


def save_small_png(rgb: np.ndarray, path: Path, colours: int = 64) -> None:
    """Write uint8 (H, W, 3) RGB as a palette PNG of ``colours`` colours (a strip of 5 tiles: about 50-80 KB)."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(rgb)).quantize(colours).save(path, optimize=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "vos"))
    ap.add_argument("--clips", nargs="*", default=None, help="clip names (default all folders of DATA)")
    ap.add_argument("--methods", nargs="*", default=["net"])
    ap.add_argument("--alternatives", nargs="*", default=[], help="methods run on the first scenario only")
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    ap.add_argument("--max-frames", type=int, default=0, help="use only the first N frames (development)")
    ap.add_argument("--set", nargs="*", default=[], help="TrackConfig overrides, NAME=VALUE")
    ap.add_argument("--out", default=str(RESULTS / "track.md"))
    ap.add_argument("--jobs", type=int, default=1, help="runs at a time (each a child process with 1 torch thread)")
    ap.add_argument("--previews", action="store_true", help="write strips for the first method into results/track/")
    args = ap.parse_args(argv)
    data = Path(args.data)
    clips = args.clips or sorted(p.name for p in data.iterdir() if (p / "frames").is_dir())
    base = TrackConfig()
    for kv in args.set:
        k, v = kv.split("=", 1)
        base = replace(base, **{k: type(getattr(base, k))(v)})
    jobs = [(scenario, method, clip) for scenario in args.scenarios for method in args.methods for clip in clips]
    jobs += [(args.scenarios[0], method, clip) for method in args.alternatives for clip in clips]
    rows: list[dict] = []

    def work(job):
        scenario, method, clip = job
        preview = ""
        if args.previews and method == args.methods[0]:
            preview = str(RESULTS / "track" / f"{scenario}_{clip}.png")
        r = run_one(data / clip, scenario, replace(base, method=method), args.max_frames, preview)
        r.update(scenario=scenario, method=method, clip=clip)
        rows.append(r)
        write_report(rows, args, clips, Path(args.out))  # after every run, so a stopped benchmark leaves its part
        print(f"{scenario:5s} {method:10s} {clip:15s} J {100 * r['J']:5.1f} F {100 * r['F']:5.1f} "
              f"{r['seconds']:6.1f} s ({r['cpu']:.1f} s CPU) {r['rss']:.2f} GiB ({r['frames']} frames)", flush=True)
        return r

    with ThreadPoolExecutor(args.jobs) as pool:  # each run is its own child process
        list(pool.map(work, jobs))


def write_report(rows: list[dict], args, clips: list[str], out: Path) -> None:
    """Markdown: the command, one table per scenario (J and F per clip and method, mean), then seconds and RSS."""
    cmd = "PYTHONPATH=src python " + " ".join(shlex.quote(a) for a in sys.argv)
    lines = [f"# Mask tracking benchmark ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"Command: `{cmd}`", "",
             ("J = region IoU, F = boundary F-measure (tolerance 0.8 % of the diagonal), both x100, mean over frames "
              "except the marked ones and the last. Seconds = track() only (working resolution, training, flow, "
              "enlarging), wall clock, on a shared 2-core machine (other jobs were running: see CPU s, the child's "
              "own user + system time, which the load does not inflate as much); RSS = peak of the child process "
              "that read the clip and tracked it."), ""]
    for scenario in args.scenarios:
        sub = [r for r in rows if r["scenario"] == scenario]
        lines += [f"## {scenario}", "", "| method | " + " | ".join(clips) + " | mean J | mean F |",
                  "|---" * (len(clips) + 3) + "|"]
        for method in dict.fromkeys(r["method"] for r in sub):
            by_clip = {r["clip"]: r for r in sub if r["method"] == method}
            rs = list(by_clip.values())
            cells = [f"{100 * by_clip[c]['J']:.1f} / {100 * by_clip[c]['F']:.1f}" if c in by_clip else "-"
                     for c in clips]
            part = "" if len(rs) == len(clips) else f" ({len(rs)} clips)"
            lines.append(f"| {method} | " + " | ".join(cells) + f" | **{100 * np.mean([r['J'] for r in rs]):.1f}**{part}"
                         f" | {100 * np.mean([r['F'] for r in rs]):.1f} |")
        lines += ["", "Cells: J / F. Time and peak memory:", "", "| method | clip | frames | seconds | CPU s | CPU s/frame | peak RSS GiB |",
                  "|---|---|---|---|---|---|---|"]
        for r in sorted(sub, key=lambda r: (r["method"], clips.index(r["clip"]))):
            lines.append(f"| {r['method']} | {r['clip']} | {r['frames']} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
                         f"{r['cpu'] / r['frames']:.2f} | {r['rss']:.2f} |")
        lines.append("")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
