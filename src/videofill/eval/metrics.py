"""Evaluation metrics of the paper's section 4: reconstruction, temporal consistency, visual plausibility, complexity.

Conventions (stated once, used by every function here):

- Frames are uint8 (T, H, W, 3) RGB (or float arrays on the same [0, 255] scale); holes are bool (T, H, W),
  True = hole. Values are compared on [0, 255] (``data_range=255``).
- PSNR is ``10 log10(255^2 / MSE)`` in dB, the MSE taken over every channel of the selected pixels. Identical inputs
  give ``inf``; wherever PSNR values are averaged or reported by :func:`videofill.eval.report.evaluate` they are capped at
  :data:`PSNR_CAP_DB` (100 dB) first, so one perfect frame cannot make a mean infinite.
- SSIM follows Wang et al. 2004 (the paper's reference [43]): ``skimage.metrics.structural_similarity`` with an
  11 x 11 Gaussian window of sigma 1.5, population (not sample) covariances, data range 255, and the three RGB
  channels averaged (``channel_axis=-1``). Images smaller than 11 px on a side use the largest odd uniform window that
  fits (at least 3 px).
- "Full frame" metrics are computed on the frames as given: evaluate the *composited* result (known pixels copied
  from the input, hole pixels from the method), as the paper's Table 2 does, unless you want the raw network output.

The temporal consistency metric (:func:`consistency`) is the one of section 4.1, after Gupta et al. 2017; the
complexity metric (:func:`complexity`) is the one of section 4.2. FID uses :mod:`videofill.eval.inception` and is skipped
(``None`` with a reason) when no Inception weights are available; :mod:`videofill.eval.report` puts them together.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import cv2
import numpy as np
from skimage.metrics import structural_similarity

#: PSNR values are capped at this many dB before they are averaged or reported (identical inputs give inf).
PSNR_CAP_DB = 100.0

#: SSIM window: Gaussian, sigma 1.5, 11 x 11 (Wang et al. 2004).
SSIM_SIGMA = 1.5
SSIM_WINDOW = 11


# ----------------------------------------------------------------------------------------------------------------
# Frame-level metrics


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio between two images or videos, optionally over a set of pixels only.

    ``PSNR = 10 log10(data_range^2 / MSE)``, MSE over all channels of the selected pixels.

    Args:
        a, b: arrays of one shape, (H, W, 3) or (T, H, W, 3), uint8 or float on the scale of ``data_range``.
        mask: bool (H, W) or (T, H, W) matching the leading dimensions of ``a``; only pixels where it is True count
            (all three channels of each). None: every pixel.
        data_range: the largest possible value minus the smallest (255 for uint8).

    Returns:
        PSNR in dB; ``inf`` when the selected pixels are identical; ``nan`` when ``mask`` selects no pixel.

    Raises:
        ValueError: shapes differ or the mask does not match.

    Example:
        >>> a = np.zeros((4, 4, 3), np.uint8); b = a + 5
        >>> round(psnr(a, b), 3)  # 20 log10(255 / 5)
        34.151
    """
    if a.shape != b.shape:
        raise ValueError(f"psnr: expected arrays of one shape, got {a.shape} and {b.shape}")
    diff = a.astype(np.float64) - b.astype(np.float64)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != a.shape[: mask.ndim] or mask.ndim != a.ndim - 1:
            raise ValueError(f"psnr: mask of shape {mask.shape} does not match images of shape {a.shape}")
        diff = diff[mask]  # (N, 3): every channel of the selected pixels
        if diff.size == 0:
            return math.nan
    mse = float(np.mean(np.square(diff)))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(data_range**2 / mse)


def _ssim_window(height: int, width: int) -> dict[str, Any]:
    """skimage keyword arguments for the SSIM window that fits an image of this size."""
    if min(height, width) >= SSIM_WINDOW:
        return {"gaussian_weights": True, "sigma": SSIM_SIGMA, "use_sample_covariance": False}
    side = min(height, width)
    side = side if side % 2 == 1 else side - 1
    if side < 3:
        raise ValueError(f"ssim: images must be at least 3x3 px, got {width}x{height}")
    return {"gaussian_weights": False, "win_size": side, "use_sample_covariance": False}


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Structural similarity of one RGB frame pair (Wang et al. 2004), mean over pixels and channels.

    Settings: ``skimage.metrics.structural_similarity`` with ``channel_axis=-1``, ``data_range=255``, a Gaussian
    window of sigma 1.5 (11 x 11, ``gaussian_weights=True``) and population covariances
    (``use_sample_covariance=False``), the settings of the original SSIM paper. For images smaller than 11 px on a side
    a uniform window of the largest odd size that fits is used instead.

    Args:
        a, b: (H, W, 3) uint8 or float on [0, 255], same shape, both sides at least 3 px.

    Returns:
        SSIM in [-1, 1]; 1 for identical images.

    Raises:
        ValueError: shapes differ, are not (H, W, 3), or are smaller than 3x3.
    """
    if a.shape != b.shape or a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"ssim: expected two (H, W, 3) images of one shape, got {a.shape} and {b.shape}")
    options = _ssim_window(a.shape[0], a.shape[1])
    return float(
        structural_similarity(
            a.astype(np.float64), b.astype(np.float64), channel_axis=-1, data_range=255.0, **options
        )
    )


def hole_sharpness_ratio(result: np.ndarray, truth: np.ndarray, holes: np.ndarray) -> float:
    """How sharp the fill is next to what it replaces: the mean Sobel gradient magnitude over the hole pixels of
    ``result`` divided by that of ``truth`` (1: as sharp; an upscaled or blurred fill is well under 1).

    The gradient is taken on the mean of the three channels (float, [0, 255]) with OpenCV's 3x3 Sobel kernels
    (border reflected, 101), magnitude ``sqrt(gx^2 + gy^2)``; the means are over every hole pixel of the video at once.

    Args:
        result, truth: uint8 (H, W, 3) or (T, H, W, 3) RGB of one shape.
        holes: bool (H, W) or (T, H, W), True = hole.

    Returns:
        The ratio; ``nan`` when there is no hole pixel or the truth has no gradient there.

    Raises:
        ValueError: shapes differ.
    """
    if result.shape != truth.shape or holes.shape != result.shape[:-1]:
        raise ValueError(f"hole_sharpness_ratio: shapes {result.shape}, {truth.shape} and holes {holes.shape} do not match")
    if result.ndim == 3:
        result, truth, holes = result[None], truth[None], holes[None]
    sums = [0.0, 0.0]
    for t in np.flatnonzero(holes.reshape(len(holes), -1).any(axis=1)):
        for i, video in enumerate((result, truth)):
            grey = video[t].astype(np.float32).mean(axis=2)
            gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
            gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
            sums[i] += float(np.sqrt(gx.astype(np.float64) ** 2 + gy.astype(np.float64) ** 2)[holes[t]].sum())
    return sums[0] / sums[1] if sums[1] > 0 else math.nan


def capped_psnr(value: float) -> float:
    """A PSNR in dB capped at :data:`PSNR_CAP_DB` (inf, from identical inputs, becomes the cap)."""
    return min(value, PSNR_CAP_DB)


# ----------------------------------------------------------------------------------------------------------------
# Temporal consistency (section 4.1)


def _sample_centres(hole: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` distinct hole pixels (y, x) of one frame, drawn uniformly without replacement."""
    ys, xs = np.nonzero(hole)
    if ys.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    chosen = rng.choice(ys.size, size=min(count, ys.size), replace=False)
    return np.stack([ys[chosen], xs[chosen]], axis=1)


def _best_match(patch: np.ndarray, window: np.ndarray) -> tuple[int, int]:
    """Top-left (y, x) in ``window`` of the patch with the smallest sum of squared differences to ``patch``.

    ``cv2.matchTemplate(TM_SQDIFF)`` scores every position at once in float32; its rounding error grows with the
    patch energy, so the positions scoring within that error of the best are re-scored exactly in float64.
    """
    scores = cv2.matchTemplate(window, patch, cv2.TM_SQDIFF)  # (Wh - p + 1, Ww - p + 1)
    tolerance = 1e-4 * float(np.sum(np.square(patch, dtype=np.float64))) + 1.0
    near = np.flatnonzero(scores.ravel() <= scores.min() + tolerance)
    if near.size == 1:
        return np.unravel_index(int(near[0]), scores.shape)  # type: ignore[return-value]
    near = near[np.argsort(scores.ravel()[near])[:64]]
    size_y, size_x = patch.shape[:2]
    best, best_ssd = near[0], math.inf
    for flat in near:
        y, x = np.unravel_index(int(flat), scores.shape)
        ssd = float(np.sum(np.square(window[y : y + size_y, x : x + size_x].astype(np.float64) - patch)))
        if ssd < best_ssd:
            best, best_ssd = flat, ssd
    return np.unravel_index(int(best), scores.shape)  # type: ignore[return-value]


def consistency(
    frames: np.ndarray,
    holes: np.ndarray,
    patch: int = 50,
    search: int = 20,
    max_patches: int = 5,
    seed: int = 0,
) -> tuple[float, float]:
    """Temporal consistency of a video inside its holes (section 4.1, after Gupta et al. 2017).

    For each frame t < T - 1: up to ``max_patches`` patch centres are drawn among the hole pixels of frame t
    (uniformly, without replacement, from ``np.random.default_rng((seed, t))``, so the patches depend only on the
    holes and the seed and two results on the same case are measured on the same patches). Each ``patch`` x ``patch``
    patch is placed with that centre and shifted to lie inside the frame. At frame t + 1 every patch whose top-left
    corner is within +-``search`` px (both axes, clipped to the frame) is compared with it; the one with the highest
    PSNR (= the smallest sum of squared differences, found exhaustively with ``cv2.matchTemplate``) is the match.
    The PSNR of the matched pair (capped at :data:`PSNR_CAP_DB`) and its SSIM (:func:`ssim`) are averaged over all
    patches of the video.

    Args:
        frames: (T, H, W, 3) uint8 RGB (the inpainted result; composited or not, as you evaluate it).
        holes: bool (T, H, W), True = hole.
        patch: patch side in px (the paper: 50). If the frame is smaller, the patch is shrunk to the frame's shorter
            side and a warning says so.
        search: search radius in px at frame t + 1 (the paper: 20).
        max_patches: patches sampled per frame (fewer when the hole has fewer pixels).
        seed: sampling seed.

    Returns:
        (mean best-match PSNR in dB, mean SSIM of the matched pairs); ``(nan, nan)`` when no frame t < T - 1 has a
        hole pixel.

    Raises:
        ValueError: shapes do not match, or ``patch``, ``search``, ``max_patches`` are not positive / non-negative.
    """
    if frames.ndim != 4 or frames.shape[3] != 3 or holes.shape != frames.shape[:3]:
        raise ValueError(
            f"consistency: expected frames (T, H, W, 3) and holes (T, H, W), got {frames.shape} and {holes.shape}"
        )
    if patch < 1 or search < 0 or max_patches < 1:
        raise ValueError(
            f"consistency: need patch >= 1, search >= 0, max_patches >= 1, got {patch}, {search}, {max_patches}"
        )
    count, height, width = holes.shape
    size = min(patch, height, width)
    if size < patch:
        warnings.warn(
            f"consistency: frames are {width}x{height}, smaller than the {patch}x{patch} patch; "
            f"using {size}x{size} patches",
            stacklevel=2,
        )
    video = np.ascontiguousarray(frames, dtype=np.float32)  # matchTemplate works on float32 (or uint8)
    psnrs: list[float] = []
    ssims: list[float] = []
    for t in range(count - 1):
        centres = _sample_centres(holes[t], max_patches, np.random.default_rng((seed, t)))
        for cy, cx in centres:
            top = int(np.clip(cy - size // 2, 0, height - size))
            left = int(np.clip(cx - size // 2, 0, width - size))
            source = video[t, top : top + size, left : left + size]  # (p, p, 3)
            y0, x0 = max(top - search, 0), max(left - search, 0)
            y1, x1 = min(top + search, height - size) + size, min(left + search, width - size) + size
            window = video[t + 1, y0:y1, x0:x1]  # (p + <= 2 search, p + <= 2 search, 3)
            dy, dx = _best_match(source, window)
            match = window[dy : dy + size, dx : dx + size]
            psnrs.append(capped_psnr(psnr(source, match)))
            ssims.append(ssim(source, match))
    if not psnrs:
        return math.nan, math.nan
    return float(np.mean(psnrs)), float(np.mean(ssims))


# ----------------------------------------------------------------------------------------------------------------
# Video complexity (section 4.2)


def complexity(frames: np.ndarray) -> float:
    """Video complexity of section 4.2: appearance change plus motion complexity.

    - Appearance term: the standard deviation (population, ``ddof=0``) over frames of each frame's mean value, the
      mean taken over all pixels and all three RGB channels, on [0, 255]. Unit: grey levels.
    - Motion term: for each pair of consecutive frames, the flow from t to t + 1
      (:func:`videofill.fill.flow.estimate_flow`, OpenCV DIS, in px); its four partial derivatives d/dy and d/dx of both
      components by ``np.gradient`` (central differences); the gradient magnitude ``sqrt`` of the sum of their
      squares per pixel; mean over pixels and over the T - 1 flows. Unit: px of flow per px (dimensionless).

    The paper adds the two terms although their units differ; so does this function. A single frame has no motion
    term (0).

    Args:
        frames: (T, H, W, 3) uint8 RGB, H and W at least 2.

    Returns:
        appearance term + motion term, a non-negative float.

    Raises:
        ValueError: ``frames`` is not (T, H, W, 3) uint8 with T >= 1.
    """
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.shape[0] < 1 or frames.dtype != np.uint8:
        raise ValueError(f"complexity: expected uint8 frames (T, H, W, 3), got {frames.dtype} {frames.shape}")
    from videofill.fill.flow import estimate_flow

    appearance = float(np.std(frames.reshape(frames.shape[0], -1).mean(axis=1, dtype=np.float64)))
    magnitudes = []
    for t in range(frames.shape[0] - 1):
        flow = estimate_flow(frames[t], frames[t + 1]).astype(np.float64)  # (H, W, 2)
        partials = [d for c in range(2) for d in np.gradient(flow[..., c])]  # 4 x (H, W): d/dy, d/dx of u and v
        magnitudes.append(float(np.mean(np.sqrt(sum(np.square(d) for d in partials)))))
    motion = float(np.mean(magnitudes)) if magnitudes else 0.0
    return appearance + motion
