"""One tracking step: (frame, carried prior) -> the object's probability on that frame, for each method.

The ``net`` step runs the network with the frame zoomed so that the carried object has about the size it had on the
marked frame nearest in size (the network learnt the object at that scale only, +- the augmentation's zoom), mixes
in the colour model's posterior (``fuse_colour``), scales the probability down where pixels move with the camera
while the object moves unlike it (the motion cue, ``motion``: leaks onto still road, kerbs or spectators), and falls
back to the colour model + prior when the network's mask collapses (shrinks below ``guard`` of the prior). When the
mask shrinks suddenly, :meth:`Stepper.redetect` searches the whole frame with the network (no prior) and the
motion cue.
"""

from __future__ import annotations

import math
import time

import cv2
import numpy as np

from videofill.track.colour import ColourModel
from videofill.track.config import TrackConfig
from videofill.track.motion import camera_residual
from videofill.track.net import Segmenter


def near_parts(prob: np.ndarray, prior: np.ndarray, cfg: TrackConfig) -> np.ndarray:
    """The float32 (h, w) probability with object parts that do not come within ``keep_near`` px of the prior zeroed.

    When the prior is empty (the object was lost) nothing is dropped, so the network may find the object again.
    """
    near = prior > cfg.threshold
    if cfg.keep_near <= 0 or not near.any():
        return prob
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * cfg.keep_near + 1,) * 2)
    near = cv2.dilate(near.astype(np.uint8), k) > 0
    n, lab = cv2.connectedComponents((prob > cfg.threshold).astype(np.uint8), connectivity=8)
    if n <= 2:
        return prob
    keep = np.zeros(n, bool)
    keep[np.unique(lab[near])] = True
    keep[0] = True
    return np.where(keep[lab], prob, 0.0).astype(np.float32)


def unknown_band(mask: np.ndarray, fraction: float) -> np.ndarray:
    """float32 (h, w) target of a tracked bool mask: 1 object, 0 background, 0.5 in a band around the edge."""
    area = float(mask.sum())
    r = max(1, round(fraction * float(np.sqrt(max(area, 1.0)))))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)
    m = mask.astype(np.uint8)
    band = cv2.dilate(m, k) != cv2.erode(m, k)
    out = m.astype(np.float32)
    out[band] = 0.5
    return out


def zoom_for(prior_area: float, key_areas: list[float], cfg: TrackConfig) -> float:
    """The zoom (linear factor) that brings an object of ``prior_area`` px to the nearest of ``key_areas``.

    1.0 when scale normalisation is off, the prior is empty, or the nearest key's size is within ``zoom_free``
    (a linear fraction, the range the training's zoom covers); otherwise sqrt(key / prior), clipped to
    [``zoom_min``, ``zoom_max``].
    """
    if not cfg.zoom or prior_area < 1 or not key_areas:
        return 1.0
    ref = min(key_areas, key=lambda a: abs(math.log(a / prior_area)))
    z = math.sqrt(ref / prior_area)
    if abs(math.log(z)) <= math.log(1 + cfg.zoom_free):
        return 1.0
    return float(np.clip(z, cfg.zoom_min, cfg.zoom_max))


def still_background(flow: np.ndarray, prior: np.ndarray, cfg: TrackConfig) -> tuple[np.ndarray, float] | None:
    """How much each pixel moves unlike the camera, and how much the carried object does.

    The camera's motion is fitted to the flow outside the carried object grown by a tenth of its size
    (:func:`videofill.track.motion.camera_residual`); the residual r (in units of the typical background residual)
    maps to 0 below ``motion_lo``, 1 above ``motion_hi``, linearly between.

    Args:
        flow: float32 (h, w, 2) flow from this frame to the previous one of the pass.
        prior: float32 (h, w) carried prior in [0, 1].

    Returns:
        (float32 (h, w) in [0, 1], 0 = moves with the camera (background-like); the median r over the object's
        core), or None when the object is tiny or the fit fails.
    """
    obj = (prior > 0.5).astype(np.uint8)
    area = int(obj.sum())
    if area < 20:
        return None
    r = max(2, round(0.1 * np.sqrt(area)))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)
    res = camera_residual(flow, cv2.dilate(obj, k) == 0)
    if res is None:
        return None
    core = cv2.erode(obj, np.ones((3, 3), np.uint8)) > 0
    median = float(np.median(res[core if core.any() else obj > 0]))
    return np.clip((res - cfg.motion_lo) / (cfg.motion_hi - cfg.motion_lo), 0, 1).astype(np.float32), median


class Stepper:
    """Turns (frame index, carried prior) into a probability, for one method; trained on the marked frames.

    Args:
        small: uint8 (T, h, w, 3) RGB frames at the working resolution.
        keys: {frame: float32 (h, w) in [0, 1]} the marked frames' masks at the working resolution.
        cfg: the tracker settings.
        log: called with one-line progress messages.
    """

    def __init__(self, small: np.ndarray, keys: dict[int, np.ndarray], cfg: TrackConfig, log):
        self.small, self.cfg, self.log = small, cfg, log
        self.images = [small[k].astype(np.float32) / 255 for k in keys]
        self.masks = list(keys.values())
        self.key_areas = [a for a in (float((m > 0.5).sum()) for m in self.masks) if a > 0]  # no zoom to nothing
        self.seg = None
        self.colour = None
        if cfg.method in ("net", "appearance"):
            t0 = time.perf_counter()
            self.seg = Segmenter(cfg, use_prior=cfg.method == "net")
            loss = self.seg.fit(self.images, self.masks, cfg.train_steps)
            log(f"trained {cfg.train_steps} steps in {time.perf_counter() - t0:.1f} s, loss {loss:.3f}")
        if cfg.method == "colour" or (cfg.method == "net" and (cfg.guard > 0 or cfg.fuse_colour > 0)):
            self.colour = ColourModel([small[k] for k in keys], self.masks)
        self.seen = 0
        self.guarded = 0
        self.redetected = 0
        self.start_pass()

    def start_pass(self) -> None:
        """Forget the motion history: a new pass starts from a mark (its object moves until shown otherwise)."""
        self.still_for = 0

    def predict(self, image: np.ndarray, prior: np.ndarray, area: float | None = None) -> np.ndarray:
        """float32 (h, w) network probability of a float32 (h, w, 3) frame in [0, 1] given its (h, w) prior.

        The frame and prior are zoomed by :func:`zoom_for` (for an object of ``area`` px, default the prior's)
        before the network sees them and its answer is zoomed back.
        """
        h, w = prior.shape
        if area is None:
            area = float((prior > self.cfg.threshold).sum())
        z = zoom_for(area, self.key_areas, self.cfg)
        if z == 1.0:
            return self.seg.predict(image, prior)
        size = (max(16, round(w * z)), max(16, round(h * z)))
        img = cv2.resize(image, size, interpolation=cv2.INTER_AREA if z < 1 else cv2.INTER_LINEAR)
        pri = cv2.resize(prior, size, interpolation=cv2.INTER_LINEAR)
        prob = self.seg.predict(np.ascontiguousarray(img), np.ascontiguousarray(pri))
        return cv2.resize(prob, (w, h), interpolation=cv2.INTER_LINEAR)

    def colour_posterior(self, t: int, prior: np.ndarray) -> np.ndarray:
        """float32 (h, w) colour model's P(object) on frame t given the prior, parts far from the prior dropped."""
        return near_parts(self.colour.posterior(self.small[t], prior), prior, self.cfg)

    def __call__(self, t: int, prior: np.ndarray, flow: np.ndarray | None = None) -> np.ndarray:
        """float32 (h, w) probability of frame t from its carried (h, w) prior; ``flow`` (h, w, 2) goes from frame t
        to the pass's previous frame (for the motion cue, ``cfg.motion``)."""
        cfg = self.cfg
        if cfg.method == "flow":
            return prior
        if cfg.method == "colour":
            return self.colour_posterior(t, prior)
        image = self.small[t].astype(np.float32) / 255
        if cfg.method == "appearance":  # free of the flow
            return self.seg.predict(image, prior)
        prob = near_parts(self.predict(image, prior), prior, cfg)
        if cfg.fuse_flow > 0:
            prob = (1 - cfg.fuse_flow) * prob + cfg.fuse_flow * prior
        if cfg.fuse_colour > 0:
            colour = self.colour_posterior(t, prior)
            prob = (1 - cfg.fuse_colour) * prob + cfg.fuse_colour * colour
        if cfg.motion > 0 and flow is not None:
            cue = still_background(flow, prior, cfg)
            if cue is not None:
                # the cue holds while the carried object moves unlike the camera, and motion_memory frames after
                self.still_for = 0 if cue[1] >= cfg.motion_gate else self.still_for + 1
                if self.still_for <= cfg.motion_memory:
                    prob = prob * (1 - cfg.motion * (1 - cue[0]))
        self.seen += 1
        mask = prob > cfg.threshold
        prior_area = float((prior > cfg.threshold).sum())
        if cfg.guard > 0 and prior_area > 0 and mask.sum() < cfg.guard * prior_area:
            self.guarded += 1
            return self.colour_posterior(t, prior)
        if cfg.online_steps and self.seen % cfg.online_every == 0 and mask.any():
            target = unknown_band(mask, cfg.online_band)
            self.seg.fit(self.images + [image], self.masks + [target], cfg.online_steps, lr=cfg.lr * 0.3)
        return prob

    def redetect(self, t: int, prob: np.ndarray, area: float, flow: np.ndarray | None) -> np.ndarray:
        """The probability of frame t with the object searched for on the whole frame (after it shrank suddenly).

        The network runs without a prior (zoomed for an object of ``area`` px, its recent size); with a flow (frame
        t to the pass's previous frame) its probability is scaled down where pixels move with the camera, as in the
        step (no gate: the object's own motion is unknown). The connected part of this candidate (> threshold)
        with the largest probability mass, of at least ``redetect_min`` x ``area`` px and mean probability
        ``redetect_conf``, is added to ``prob`` (pixelwise maximum); ``prob`` is returned unchanged otherwise.

        Args:
            t: frame index.
            prob: float32 (h, w), the step's probability on frame t.
            area: px, the object's recent area (the reference for the zoom and the smallest part).
            flow: float32 (h, w, 2) or None.
        """
        cfg = self.cfg
        if self.seg is None or area < 1:
            return prob
        image = self.small[t].astype(np.float32) / 255
        cand = self.predict(image, np.zeros_like(prob), area)
        if flow is not None and cfg.motion > 0:
            seen = (prob > cfg.threshold) | (cand > cfg.threshold)
            res = camera_residual(flow, ~seen)
            if res is not None:
                moving = np.clip((res - cfg.motion_lo) / (cfg.motion_hi - cfg.motion_lo), 0, 1)
                cand = cand * (1 - cfg.motion * (1 - moving))
        n, lab = cv2.connectedComponents((cand > cfg.threshold).astype(np.uint8), connectivity=8)
        if n <= 1:
            return prob
        mass = np.bincount(lab.ravel(), weights=cand.ravel(), minlength=n)
        count = np.bincount(lab.ravel(), minlength=n)
        ok = (count >= cfg.redetect_min * area) & (mass >= cfg.redetect_conf * count)
        ok[0] = False
        if not ok.any():
            return prob
        best = int(np.argmax(np.where(ok, mass, -1)))
        self.redetected += 1
        return np.maximum(prob, np.where(lab == best, cand, 0)).astype(np.float32)
