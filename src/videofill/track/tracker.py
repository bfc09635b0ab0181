"""track(): a mask for every frame from a few marks.

Per marked frame, the mask is carried frame by frame forwards to the next marked frame and backwards to the
previous one. At each step the previous frame's mask is moved onto the new frame by DIS optical flow (the prior), and
the method turns prior and frame into the new mask:

- ``net`` (default): a small network trained from scratch on the marked frames of this video, input frame + prior,
  mixed with a colour model and corrected by the motion cue; a mask that shrinks suddenly is searched for on the
  whole frame (see :mod:`videofill.track.steps`).
- ``flow``: the carried prior itself.
- ``colour``: the prior corrected by object/background colour histograms of the marked frames.
- ``appearance``: the network without the prior channel (appearance alone).

A frame between two marked frames mixes the two passes, weighted by closeness. All work happens at a working
resolution (longer side ``TrackConfig.long_side``); the probability is enlarged bilinearly, guided-filtered with
the full frame (``TrackConfig.refine``) and thresholded.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

import cv2
import numpy as np
import torch

from videofill.errors import VideofillError
from videofill.track.config import TrackConfig
from videofill.track.flow import (
    FlowField,
    grow_prob,
    shrink_frames,
    shrink_mask,
    working_size,
)
from videofill.track.marks import Mark, check_marks, mark_to_mask
from videofill.track.motion import motion_residual
from videofill.track.steps import Stepper

METHODS = ("net", "flow", "colour", "appearance")


def _sharpen(prob: np.ndarray, cfg: TrackConfig) -> np.ndarray:
    """The float32 (h, w) prior carried to the next frame: the thresholded mask, blurred by ``prior_blur`` px."""
    m = (prob > cfg.threshold).astype(np.float32)
    return cv2.GaussianBlur(m, (0, 0), cfg.prior_blur) if cfg.prior_blur > 0 else m


def gap_weight(x: float, power: float) -> float:
    """Weight of the pass from the mark at relative distance 1 - ``x`` (x = 1 on its mark, 0 on the other mark).

    x ** power / (x ** power + (1 - x) ** power): ``power`` 1 is linear in the distance, larger favours the nearer
    mark more.
    """
    a, b = x ** power, (1 - x) ** power
    return a / (a + b) if a + b > 0 else 0.5


def _pass(stepper: Stepper, flow: FlowField, start: int, stop: int, key: np.ndarray, cfg: TrackConfig) -> dict:
    """Carry the key mask of frame ``start`` frame by frame to ``stop`` (exclusive, either direction).

    With ``cfg.redetect``, a mask that falls below that fraction of its largest area of the last
    ``redetect_window`` frames is searched for on the whole frame (:meth:`Stepper.redetect`).

    Returns {frame index: float32 (h, w) probability}.
    """
    step = 1 if stop > start else -1
    out = {}
    cur = key
    areas = [float((key > cfg.threshold).sum())]  # the object's area on the frames of the pass so far
    stepper.start_pass()
    for t in range(start + step, stop, step):
        f = flow.flow(t, t - step)
        prior = flow.warp(_sharpen(cur, cfg), f)
        cur = stepper(t, prior, f)
        if cfg.redetect > 0:
            recent = max(areas[-cfg.redetect_window:])
            if (cur > cfg.threshold).sum() < cfg.redetect * recent:
                cur = stepper.redetect(t, cur, recent, f)
            areas.append(float((cur > cfg.threshold).sum()))
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
    threads = torch.get_num_threads()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    try:
        return _track(frames, marks, cfg, log)
    finally:
        torch.set_num_threads(threads)


def _keys(marks: Sequence[Mark], frame_at, t_count: int, cfg: TrackConfig) -> dict[int, np.ndarray]:
    """{frame: bool (H, W) key mask} of the marks in frame order; ``frame_at(k)`` gives frame k, uint8 (H, W, 3).

    A box is turned into a mask with the help of the motion between its frame and ``box_motion_gap`` frames before
    and after it (see :func:`videofill.track.motion.motion_residual`), when ``box_motion`` > 0.
    """
    out = {}
    for m in sorted(marks, key=lambda m: m.frame):
        frame = frame_at(m.frame)
        moving = None
        if m.kind() == "box" and cfg.box_motion > 0:
            near = [k for k in (m.frame - cfg.box_motion_gap, m.frame + cfg.box_motion_gap) if 0 <= k < t_count]
            moving = motion_residual(frame, [frame_at(k) for k in near], m.box) if near else None
        out[m.frame] = mark_to_mask(frame, m, iters=cfg.grabcut_iters, points_margin=cfg.points_margin,
                                    moving=moving, moving_threshold=cfg.box_motion)
    return out


def _probabilities(small: np.ndarray, full_keys: dict[int, np.ndarray], cfg: TrackConfig, log) -> np.ndarray:
    """float16 (T, h, w) object probability of every frame at the working resolution (NaN where nothing reached).

    Args:
        small: uint8 (T, h, w, 3) RGB frames at the working resolution.
        full_keys: {frame: bool (H, W)} key masks at full resolution, in frame order.
    """
    t_start = time.perf_counter()
    t_count, h, w = small.shape[:3]
    keys = {k: shrink_mask(m, (h, w)) for k, m in full_keys.items()}
    log(f"{t_count} frames at {w}x{h}, marks on frames {list(keys)}")
    stepper = Stepper(small, keys, cfg, log)
    flow = FlowField(small, cfg.dis_preset, cfg.dis_finest_scale)
    order = list(keys)
    prob = np.full((t_count, h, w), np.nan, np.float16)
    for i, k in enumerate(order):
        prob[k] = keys[k]
        prev_k = order[i - 1] if i > 0 else -1
        next_k = order[i + 1] if i + 1 < len(order) else t_count
        for start, stop in ((k, next_k), (k, prev_k)):
            bounded = 0 <= stop < t_count
            for t, p in _pass(stepper, flow, start, stop, keys[k], cfg).items():
                if bounded and start > stop:  # the second pass into a gap: mix with the first by closeness
                    wt = gap_weight((t - stop) / (start - stop), cfg.gap_power)
                    p = wt * p + (1 - wt) * prob[t].astype(np.float32)
                prob[t] = p
        log(f"frame {k}: carried both ways ({time.perf_counter() - t_start:.1f} s)")
    return prob


def _masks(prob: np.ndarray, full_keys: dict[int, np.ndarray], first: int, cfg: TrackConfig,
           size: tuple[int, int], frames: np.ndarray | None = None) -> np.ndarray:
    """bool (n, H, W) masks of frames first .. first + n - 1 from their float16 (n, h, w) probabilities; with
    ``cfg.refine`` the uint8 (n, H, W, 3) ``frames`` guide the enlargement (:func:`grow_prob`)."""
    out = np.zeros((len(prob),) + tuple(size), bool)
    for i, p in enumerate(prob):
        t = first + i
        if t in full_keys:
            out[i] = full_keys[t]
        elif np.isfinite(p).all():
            frame = frames[i] if frames is not None and cfg.refine > 0 else None
            out[i] = grow_prob(p.astype(np.float32), size, frame, cfg.refine, cfg.refine_eps) > cfg.threshold
    return out


def _track(frames: np.ndarray, marks: Sequence[Mark], cfg: TrackConfig, log) -> np.ndarray:
    """track() after the checks, with torch's threads set."""
    t_start = time.perf_counter()
    full_keys = _keys(marks, lambda k: frames[k], len(frames), cfg)
    small = shrink_frames(frames, working_size(frames.shape[1:3], cfg.long_side))
    prob = _probabilities(small, full_keys, cfg, log)
    out = _masks(prob, full_keys, 0, cfg, frames.shape[1:3], frames)
    log(f"done in {time.perf_counter() - t_start:.1f} s")
    return out


def track_stream(read_frames: Callable[[int, int], np.ndarray], frame_count: int, marks: Sequence[Mark],
                 write: Callable[[np.ndarray], None], *, config: TrackConfig | None = None, progress: bool = False,
                 chunk: int = 32) -> None:
    """track() for long clips: full-size frames are only held ``chunk`` at a time.

    The tracker itself needs the whole clip at the working resolution (uint8 RGB + float16 probability, about
    0.7 MB a frame of 16:9 at the default 512 px), never at full size.

    Args:
        read_frames: ``read_frames(start, stop)`` -> uint8 (stop - start, H, W, 3) RGB frames start .. stop - 1.
            Called once per chunk in order, once more per mark (its frame) and twice more per box (the
            frames ``box_motion_gap`` before and after it), and with ``cfg.refine`` once more per chunk when writing.
        frame_count: T, the number of frames.
        marks: as for :func:`track`.
        write: called with bool (n, H, W) masks of consecutive frames, in order, covering all T frames.
        config: tracker settings.
        progress: print one line per stage to stderr.
        chunk: frames read (and masks written) at a time.
    """
    cfg = config or TrackConfig()
    log = (lambda s: print(f"track: {s}", file=sys.stderr)) if progress else (lambda s: None)
    first = np.asarray(read_frames(0, 1))
    if first.ndim != 4 or first.shape[-1] != 3 or first.dtype != np.uint8:
        raise VideofillError(f"frames must be uint8 (n, H, W, 3), got {first.dtype} {first.shape}")
    size = first.shape[1:3]
    check_marks(marks, frame_count, size)
    hw = working_size(size, cfg.long_side)
    threads = torch.get_num_threads()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    try:
        full_keys = _keys(marks, lambda k: np.asarray(read_frames(k, k + 1))[0], frame_count, cfg)
        small = np.concatenate([shrink_frames(np.asarray(read_frames(s, min(s + chunk, frame_count))), hw)
                                for s in range(0, frame_count, chunk)])
        prob = _probabilities(small, full_keys, cfg, log)
        del small
        for s in range(0, frame_count, chunk):
            stop = min(s + chunk, frame_count)
            frames = np.asarray(read_frames(s, stop)) if cfg.refine > 0 else None
            write(_masks(prob[s: stop], full_keys, s, cfg, size, frames))
    finally:
        torch.set_num_threads(threads)
