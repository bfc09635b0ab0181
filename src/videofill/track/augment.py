"""Training crops made from the marked frames: the image, its mask, and a spoiled copy of the mask as the prior.

The network learns on the one video it will track. Each crop is a random zoom, rotation and flip of a marked frame
around the object; the prior channel imitates what carrying the previous mask by optical flow gives on a new frame
(shifted, bent, grown or shrunk, blurred, sometimes lost), so the network learns to correct the carried mask from
the image.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from videofill.track.config import TrackConfig


def _bbox(mask: np.ndarray) -> tuple[float, float, float, float]:
    """(cx, cy, width, height) px of the object's bounding box in a (h, w) mask; the whole frame if empty."""
    ys, xs = np.nonzero(mask > 0.5)
    if len(xs) == 0:
        h, w = mask.shape
        return w / 2, h / 2, w, h
    return (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2, xs.max() - xs.min() + 1, ys.max() - ys.min() + 1


def spoil_prior(mask: np.ndarray, rng: np.random.Generator, cfg: TrackConfig) -> np.ndarray:
    """A float32 (h, w) prior in [0, 1] made from a float32 (h, w) mask in [0, 1] as flow carrying would spoil it.

    Random shift and small affine change (``prior_shift`` of the object size), a smooth random bend
    (``prior_warp``), dilation or erosion up to ``prior_morph`` px, with probability ``prior_part`` only 30-70 % of
    the object (cut by a random line), a false blob (half the time on the object's edge) and a hole
    (each with probability ``prior_blobs``), then a Gaussian blur of ``prior_blur`` px.
    With probability ``prior_drop`` the prior is blank (all 0) instead.
    """
    h, w = mask.shape
    if rng.random() < cfg.prior_drop:
        return np.zeros((h, w), np.float32)
    _, _, bw, bh = _bbox(mask)
    size = max(4.0, math.sqrt(bw * bh))
    a = math.radians(rng.uniform(-4, 4))
    s = math.exp(rng.uniform(-0.06, 0.06))
    cx, cy = w / 2, h / 2
    tx, ty = rng.uniform(-1, 1, 2) * cfg.prior_shift * size
    m = cv2.getRotationMatrix2D((cx, cy), math.degrees(a), s)
    m[:, 2] += (tx, ty)
    out = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    # smooth bend: a 4x4 grid of random offsets, interpolated to the crop
    amp = cfg.prior_warp * size
    if amp > 0:
        d = rng.normal(0, amp, (2, 4, 4)).astype(np.float32)
        dx = cv2.resize(d[0], (w, h), interpolation=cv2.INTER_CUBIC)
        dy = cv2.resize(d[1], (w, h), interpolation=cv2.INTER_CUBIC)
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        out = cv2.remap(out, gx + dx, gy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    out = (out > 0.5).astype(np.uint8)
    r = int(rng.integers(-cfg.prior_morph, cfg.prior_morph + 1))
    if r:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(r) + 1, 2 * abs(r) + 1))
        out = cv2.dilate(out, k) if r > 0 else cv2.erode(out, k)
    # a prior that has kept up with only part of the object (flow lags behind a fast-growing object): cut the
    # object by a random straight line, keeping 30-70 % of it
    if out.any() and rng.random() < cfg.prior_part:
        ys, xs = np.nonzero(out)
        a = rng.uniform(0, 2 * math.pi)
        d_obj = xs * math.cos(a) + ys * math.sin(a)
        gx, gy = np.meshgrid(np.arange(w), np.arange(h))
        out = out * ((gx * math.cos(a) + gy * math.sin(a)) <= np.quantile(d_obj, rng.uniform(0.3, 0.7)))
        out = out.astype(np.uint8)
    # false parts and missing parts: an ellipse of 10-40 % of the object's size added or cut out
    for value, chance in ((1, cfg.prior_blobs), (0, cfg.prior_blobs)):
        if rng.random() < chance:
            centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
            if out.any() and (value == 0 or rng.random() < 0.5):  # a hole in the object, or a leak off its edge
                ys, xs = np.nonzero(out if value == 0 else cv2.morphologyEx(out, cv2.MORPH_GRADIENT, np.ones((3, 3))))
                i = int(rng.integers(len(xs)))
                centre = (int(xs[i]), int(ys[i]))
            axes = tuple(int(max(2, rng.uniform(0.1, 0.4) * size)) for _ in range(2))
            cv2.ellipse(out, centre, axes, float(rng.uniform(0, 180)), 0, 360, value, -1)
    out = out.astype(np.float32)
    if cfg.prior_blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), cfg.prior_blur)
    return out


def jitter_colour(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """float32 (h, w, 3) RGB in [0, 1] with random brightness, contrast, per-channel gain and noise; clipped."""
    gain = rng.uniform(0.9, 1.1) * rng.uniform(0.95, 1.05, 3)
    mean = img.mean(axis=(0, 1), keepdims=True)
    c = rng.uniform(0.85, 1.15)
    out = (img - mean) * c + mean
    out = out * gain + rng.uniform(-0.05, 0.05)
    out = out + rng.normal(0, 0.01, out.shape)
    return np.clip(out, 0, 1).astype(np.float32)


def make_crop(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator, cfg: TrackConfig,
              use_prior: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One training crop of a marked frame.

    Args:
        image: float32 (h, w, 3) RGB in [0, 1] at the working resolution.
        mask: float32 (h, w) in [0, 1], the object.
        rng: random generator.
        cfg: the augmentation ranges.
        use_prior: make the prior channel (else it is all zero).

    Returns:
        (image float32 (c, c, 3), mask float32 (c, c), prior float32 (c, c)) with c = ``cfg.crop``.
    """
    h, w = mask.shape
    c = cfg.crop
    cx, cy, bw, bh = _bbox(mask)
    # centre near the object most of the time (its box jittered by its own size), anywhere otherwise
    if rng.random() < 0.8:
        cx += rng.uniform(-0.6, 0.6) * max(bw, c / 2)
        cy += rng.uniform(-0.6, 0.6) * max(bh, c / 2)
    else:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    scale = math.exp(rng.uniform(-cfg.aug_scale, cfg.aug_scale))
    angle = rng.uniform(-cfg.aug_rotate, cfg.aug_rotate)
    # crop pixel (u, v) <- frame pixel: rotate/scale about the centre, then move the centre to the crop's middle
    m = cv2.getRotationMatrix2D((cx, cy), angle, scale)
    m[:, 2] += (c / 2 - cx, c / 2 - cy)
    img = cv2.warpAffine(image, m, (c, c), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    msk = cv2.warpAffine(mask, m, (c, c), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    if rng.random() < 0.5:
        img, msk = img[:, ::-1], msk[:, ::-1]
    img = jitter_colour(np.ascontiguousarray(img), rng)
    msk = np.ascontiguousarray(msk)
    prior = spoil_prior(msk, rng, cfg) if use_prior else np.zeros_like(msk)
    return img, msk, prior


def make_batch(images: list[np.ndarray], masks: list[np.ndarray], rng: np.random.Generator, cfg: TrackConfig,
               use_prior: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A batch of crops from randomly chosen marked frames.

    Returns:
        (inputs float32 (B, 4, c, c): RGB in [0, 1] then the prior; targets float32 (B, 1, c, c) in [0, 1]).
    """
    xs, ys = [], []
    for _ in range(cfg.batch):
        i = int(rng.integers(len(images)))
        img, msk, prior = make_crop(images[i], masks[i], rng, cfg, use_prior)
        xs.append(np.concatenate([img.transpose(2, 0, 1), prior[None]], 0))
        ys.append(msk[None])
    return np.stack(xs), np.stack(ys)
