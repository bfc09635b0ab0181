"""track(): a mask for every frame from a few marks.

Per marked frame, the mask is carried frame by frame forwards to the next marked frame and backwards to the
previous one. At each step the previous frame's mask is moved onto the new frame by DIS optical flow (the prior), and
the method turns prior and frame into the new mask:

- ``net`` (default): a small network trained from scratch on the marked frames of this video, input frame + prior.
- ``flow``: the carried prior itself.
- ``colour``: the prior corrected by object/background colour histograms of the marked frames.
- ``appearance``: the network without the prior channel (appearance alone).

A frame between two marked frames mixes the two passes, weighted by closeness. All work happens at a working
resolution (longer side ``TrackConfig.long_side``); the probability is enlarged bilinearly and thresholded.
"""

from __future__ import annotations

import sys
import time
from typing import Sequence

import cv2
import numpy as np
import torch

from videofill.errors import VideofillError
from videofill.track.colour import ColourModel
from videofill.track.config import TrackConfig
from videofill.track.flow import FlowField, grow_prob, shrink_frames, shrink_mask, working_size
from videofill.track.marks import Mark, check_marks, mark_to_mask
from videofill.track.net import Segmenter

METHODS = ("net", "flow", "colour", "appearance")


def _sharpen(prob: np.ndarray, cfg: TrackConfig) -> np.ndarray:
    """The float32 (h, w) prior carried to the next frame: the thresholded mask, blurred by ``prior_blur`` px."""
    m = (prob > cfg.threshold).astype(np.float32)
    return cv2.GaussianBlur(m, (0, 0), cfg.prior_blur) if cfg.prior_blur > 0 else m


class _Stepper:
    """Turns (frame index, carried prior) into a probability, for one method; trained on the marked frames."""

    def __init__(self, small: np.ndarray, keys: dict[int, np.ndarray], cfg: TrackConfig, log):
        self.small, self.cfg, self.log = small, cfg, log
        images = [small[k].astype(np.float32) / 255 for k in keys]
        masks = list(keys.values())
        self.seg = None
        self.colour = None
        if cfg.method in ("net", "appearance"):
            t0 = time.perf_counter()
            self.seg = Segmenter(cfg, use_prior=cfg.method == "net")
            loss = self.seg.fit(images, masks, cfg.train_steps)
            log(f"trained {cfg.train_steps} steps in {time.perf_counter() - t0:.1f} s, loss {loss:.3f}")
        elif cfg.method == "colour":
            self.colour = ColourModel([small[k] for k in keys], masks)
        self.seen = 0

    def __call__(self, t: int, prior: np.ndarray) -> np.ndarray:
        cfg = self.cfg
        if cfg.method == "flow":
            return prior
        if cfg.method == "colour":
            return self.colour.posterior(self.small[t], prior)
        image = self.small[t].astype(np.float32) / 255
        prob = self.seg.predict(image, prior)
        if cfg.fuse_flow > 0:
            prob = (1 - cfg.fuse_flow) * prob + cfg.fuse_flow * prior
        self.seen += 1
        if cfg.online_steps and self.seen % cfg.online_every == 0:
            sure = np.mean((prob < 0.1) | (prob > 0.9))
            if sure >= cfg.confidence:
                self.seg.fit([image], [(prob > cfg.threshold).astype(np.float32)], cfg.online_steps, lr=cfg.lr * 0.3)
        return prob


def _pass(stepper: _Stepper, flow: FlowField, start: int, stop: int, key: np.ndarray, cfg: TrackConfig) -> dict:
    """Carry the key mask of frame ``start`` frame by frame to ``stop`` (exclusive, either direction).

    Returns {frame index: float32 (h, w) probability}.
    """
    step = 1 if stop > start else -1
    out = {}
    cur = key
    for t in range(start + step, stop, step):
        prior = flow.carry(_sharpen(cur, cfg), t, t - step)
        cur = stepper(t, prior)
        out[t] = cur
    return out


def track(frames: np.ndarray, marks: Sequence[Mark], *, config: TrackConfig | None = None,
          progress: bool = False) -> np.ndarray:
    """The object's mask on every frame of a clip, from marks on one or a few frames.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        marks: one or more :class:`Mark`, at most one per frame.
        config: tracker settings (default ``TrackConfig()``).
        progress: print one line per stage to stderr.

    Returns:
        bool (T, H, W), True = object. A frame with a mask mark gets that mask; a frame between two marked frames
        uses both marks (each carried towards it, weighted by closeness).

    Raises:
        VideofillError: for unusable marks (see :func:`check_marks`) or frames that are not uint8 (T, H, W, 3).
    """
    cfg = config or TrackConfig()
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise VideofillError(f"frames must be uint8 (T, H, W, 3), got {frames.dtype} {frames.shape}")
    if cfg.method not in METHODS:
        raise VideofillError(f"unknown tracking method {cfg.method!r}; use one of {', '.join(METHODS)}")
    t_count, h_full, w_full = frames.shape[:3]
    check_marks(marks, t_count, (h_full, w_full))
    log = (lambda s: print(f"track: {s}", file=sys.stderr)) if progress else (lambda s: None)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)

    full_keys = {m.frame: mark_to_mask(frames[m.frame], m, iters=cfg.grabcut_iters, points_margin=cfg.points_margin)
                 for m in sorted(marks, key=lambda m: m.frame)}
    hw = working_size((h_full, w_full), cfg.long_side)
    small = shrink_frames(frames, hw)
    keys = {k: shrink_mask(m, hw) for k, m in full_keys.items()}
    log(f"{t_count} frames at {hw[1]}x{hw[0]}, marks on frames {list(keys)}")
    stepper = _Stepper(small, keys, cfg, log)
    flow = FlowField(small, cfg.dis_preset)

    order = list(keys)
    prob = np.zeros((t_count,) + hw, np.float32)
    weight = np.zeros(t_count, np.float32)
    for i, k in enumerate(order):
        prev_k = order[i - 1] if i > 0 else -1
        next_k = order[i + 1] if i + 1 < len(order) else t_count
        for start, stop, other in ((k, next_k, next_k), (k, prev_k, prev_k)):
            bounded = 0 <= other < t_count
            for t, p in _pass(stepper, flow, start, stop, keys[k], cfg).items():
                w = abs(other - t) / abs(other - k) if bounded else 1.0
                prob[t] += w * p
                weight[t] += w
        log(f"frame {k}: carried both ways")
    out = np.zeros((t_count, h_full, w_full), bool)
    for t in range(t_count):
        if t in full_keys:
            out[t] = full_keys[t]
        elif weight[t] > 0:
            out[t] = grow_prob(prob[t] / weight[t], (h_full, w_full)) > cfg.threshold
    return out
