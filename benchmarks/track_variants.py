"""Development sweep of tracking-step variants (one process, clips in turn): J and F x100 per clip and the mean.

The network's training depends only on the training settings and the marks, so its weights are cached per clip,
scenario and training settings (in --cache) and each variant of the step (zoom, colour fusion, guard, ...) reuses
them: a variant costs ~5-15 s of CPU a clip instead of ~50. CPU seconds printed are those of the run, with or
without training. Results are printed, not written: they went by hand into results/track_ablation.md.

    PYTHONPATH=src python benchmarks/track_variants.py [--scenario one] [--clips a b] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from track import make_marks, read_clip, write_preview

from videofill.track import (
    TrackConfig,
    mask_scores,
    tracker,
)
from videofill.track import net as net_module

REPO = Path(__file__).resolve().parents[1]
#: Settings that may change the trained weights (the cache key, per network); every other field only changes the step.
TRAIN = {"aug_rotate", "aug_scale", "batch", "box_motion", "box_motion_gap", "crop", "dis_finest_scale", "dis_preset",
         "grabcut_iters", "long_side", "lr", "method", "net_width", "points_margin", "prior_blobs", "prior_blur",
         "prior_drop", "prior_morph", "prior_part", "prior_shift", "prior_warp", "seed", "threads", "train_steps"}
_fit = net_module.Segmenter.fit
_state = {}


def _train_key(cfg: TrackConfig) -> str:
    """The cache key of one network's training settings."""
    train = {k: v for k, v in asdict(cfg).items() if k in TRAIN}
    if train.get("prior_part") == 0.0:
        del train["prior_part"]
    return hashlib.md5(json.dumps(train, sort_keys=True).encode()).hexdigest()[:8]


def _cached_fit(self, images, masks, steps, lr=None):
    """Segmenter.fit, loading the first (training) call's weights from the cache when they are there."""
    if steps == self.cfg.train_steps and not getattr(self, "_cached", False):
        self._cached = True
        path = _state["cache"] / f"{_state['prefix']}{_train_key(self.cfg)}.pt"
        if path.exists():
            self.net.load_state_dict(torch.load(path))
            return float("nan")
        loss = _fit(self, images, masks, steps, lr)
        torch.save(self.net.state_dict(), path)
        return loss
    return _fit(self, images, masks, steps, lr)


def run(folder: Path, scenario: str, cfg: TrackConfig, strip: Path | None = None,
        per_frame: bool = False) -> tuple[float, float, float]:
    """(J x100, F x100, CPU s) of one clip; optionally its strip (PNG) and its J per frame (printed)."""
    frames, truth = read_clip(folder)
    marks = make_marks(truth, scenario)
    _state["prefix"] = f"{folder.name}_{scenario}_"
    c0 = time.process_time()
    pred = tracker._track(frames, marks, cfg, lambda s: None)
    cpu = time.process_time() - c0
    s = mask_scores(pred, truth, exclude=sorted({m.frame for m in marks} | {len(truth) - 1}))
    if strip is not None:
        write_preview(frames, pred, truth, strip)
    if per_frame:
        print(folder.name, " ".join(f"{i}:{100 * j:.0f}" for i, j in enumerate(s["J"])), flush=True)
    return 100 * s["J_mean"], 100 * s["F_mean"], cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "vos"))
    ap.add_argument("--clips", nargs="*", default=None)
    ap.add_argument("--scenario", default="one")
    ap.add_argument("--set", nargs="*", default=[], help="TrackConfig overrides, NAME=VALUE")
    ap.add_argument("--cache", default="/tmp/track_variants_cache")
    ap.add_argument("--strips", default="", help="write each clip's strip into this folder")
    ap.add_argument("--per-frame", action="store_true", help="print J of every frame")
    args = ap.parse_args()
    torch.set_num_threads(1)
    net_module.Segmenter.fit = _cached_fit
    _state["cache"] = Path(args.cache)
    _state["cache"].mkdir(parents=True, exist_ok=True)
    data = Path(args.data)
    clips = args.clips or sorted(p.name for p in data.iterdir() if (p / "frames").is_dir())
    cfg = TrackConfig()
    for kv in args.set:
        k, v = kv.split("=", 1)
        typ = type(getattr(cfg, k))
        cfg = replace(cfg, **{k: v.lower() in ("1", "true") if typ is bool else typ(v)})
    js = []
    for clip in clips:
        strip = Path(args.strips) / f"{args.scenario}_{clip}.png" if args.strips else None
        j, f, cpu = run(data / clip, args.scenario, cfg, strip, args.per_frame)
        js.append(j)
        print(f"{args.scenario} {clip:15s} J {j:5.1f} F {f:5.1f} cpu {cpu:5.1f}", flush=True)
    print(f"{args.scenario} MEAN J {np.mean(js):.1f}  {' '.join(args.set)}", flush=True)


if __name__ == "__main__":
    main()
