"""A result scored against its ground truth: every metric of :mod:`videofill.eval.metrics` in one report.

:func:`evaluate` checks the inputs (one line for what is wrong), computes full-frame and hole PSNR / SSIM, the hole
sharpness ratio, the temporal consistency of section 4.1 and FID (skipped, with the reason, when no Inception weights
are available), per frame and as means; :func:`format_table` prints it. The conventions are those of
:mod:`videofill.eval.metrics`: uint8 (T, H, W, 3) RGB frames, bool (T, H, W) holes (True = hole), values on
[0, 255], PSNR capped at :data:`videofill.eval.metrics.PSNR_CAP_DB` before averaging.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numpy as np

from videofill.errors import VideofillError
from videofill.eval.metrics import (
    PSNR_CAP_DB,
    SSIM_WINDOW,
    capped_psnr,
    complexity,
    consistency,
    hole_sharpness_ratio,
    psnr,
    ssim,
)


def _check_video(name: str, video: np.ndarray) -> None:
    if not isinstance(video, np.ndarray) or video.ndim != 4 or video.shape[3] != 3:
        shape = getattr(video, "shape", type(video).__name__)
        raise VideofillError(f"{name} must be frames of shape (T, H, W, 3), got {shape}")
    if video.dtype != np.uint8:
        raise VideofillError(f"{name} must be uint8 frames, got {video.dtype}")


def _validate(result: np.ndarray, ground_truth: np.ndarray, holes: np.ndarray) -> None:
    _check_video("result", result)
    _check_video("ground truth", ground_truth)
    if result.shape[0] != ground_truth.shape[0]:
        raise VideofillError(f"result has {result.shape[0]} frames but ground truth has {ground_truth.shape[0]}")
    if result.shape[1:3] != ground_truth.shape[1:3]:
        raise VideofillError(
            f"result is {result.shape[2]}x{result.shape[1]} px but ground truth is "
            f"{ground_truth.shape[2]}x{ground_truth.shape[1]} px"
        )
    if not isinstance(holes, np.ndarray) or holes.dtype != np.bool_ or holes.ndim != 3:
        raise VideofillError(
            f"holes must be a bool array (T, H, W), got {getattr(holes, 'dtype', type(holes).__name__)} "
            f"{getattr(holes, 'shape', '')}"
        )
    if holes.shape[0] != ground_truth.shape[0]:
        raise VideofillError(f"holes have {holes.shape[0]} frames but ground truth has {ground_truth.shape[0]}")
    if holes.shape[1:] != ground_truth.shape[1:3]:
        raise VideofillError(
            f"holes are {holes.shape[2]}x{holes.shape[1]} px but ground truth is "
            f"{ground_truth.shape[2]}x{ground_truth.shape[1]} px"
        )


def _hole_box_ssim(result: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float | None:
    """SSIM over the bounding box of one frame's hole, grown to at least the SSIM window and kept in the frame."""
    ys, xs = np.nonzero(hole)
    if ys.size == 0:
        return None
    height, width = hole.shape
    box = []
    for low, high, limit in ((int(ys.min()), int(ys.max()) + 1, height), (int(xs.min()), int(xs.max()) + 1, width)):
        target = min(SSIM_WINDOW, limit)
        if high - low < target:  # grow about the centre, then shift back inside the frame
            low = min(max(low - (target - (high - low)) // 2, 0), limit - target)
            high = low + target
        box.append((low, high))
    (y0, y1), (x0, x1) = box
    return ssim(result[y0:y1, x0:x1], truth[y0:y1, x0:x1])


def _fid(result: np.ndarray, ground_truth: np.ndarray, inception: Any) -> tuple[float | None, str | None]:
    """FID and a note (the reason when FID is None, the Inception variant otherwise)."""
    if inception is False:
        return None, "FID not requested"
    if result.shape[0] < 2:
        return None, "FID needs at least 2 frames"

    from videofill.eval import (
        inception as inception_net,  # torch is imported only when FID is asked for
    )
    from videofill.io.weights import hub_checkpoint_dir

    model = inception
    if inception is None or isinstance(inception, (str, os.PathLike)):
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            model = inception_net.load_inception(inception)
        if model is None:
            where = hub_checkpoint_dir()
            names = " or ".join(inception_net.INCEPTION_FILENAMES)
            return None, f"no InceptionV3 weights ({names}) in {where}; FID skipped"
    value = float(inception_net.fid(result, ground_truth, model))
    variant = getattr(model, "variant", None)
    return value, (f"Inception variant: {variant}" if variant else None)


def evaluate(
    result: np.ndarray,
    ground_truth: np.ndarray,
    holes: np.ndarray,
    *,
    inception: Any = None,
    consistency_patches: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """All the paper's metrics for one inpainted video with a known ground truth (a composed case).

    Args:
        result: uint8 (T, H, W, 3) RGB, the inpainted video (normally composited: known pixels from the input).
        ground_truth: uint8 (T, H, W, 3) RGB, the background video.
        holes: bool (T, H, W), True = hole.
        inception: the FID network. ``None``: look for the weights where :func:`videofill.eval.inception.load_inception`
            looks (no weights: ``fid`` is None and ``fid_note`` says why); a path: that weight file; a model from
            ``load_inception``: use it; ``False``: skip FID.
        consistency_patches: patches per frame for :func:`consistency`.
        seed: sampling seed for :func:`consistency`.

    Returns:
        A JSON-serialisable dict (every PSNR capped at :data:`PSNR_CAP_DB` = 100 dB; undefined values are None):

        - ``psnr``, ``ssim``: mean over frames of the full-frame PSNR (dB) and SSIM.
        - ``psnr_hole``: PSNR over all hole pixels of the video at once (one MSE over the whole video's holes).
        - ``hole_sharpness_ratio``: :func:`hole_sharpness_ratio` (None where undefined).
        - ``ssim_hole``: SSIM over the bounding box of each frame's hole (grown to at least 11 x 11 px within the
          frame, so it includes some known pixels), averaged over the frames that have a hole.
        - ``consistency_psnr``, ``consistency_ssim``: :func:`consistency` of ``result`` with patches in the holes.
        - ``fid``: FID (:func:`videofill.eval.inception.fid`) of the result frames against the ground-truth frames, or
          None; ``fid_note``: the reason when None, else the Inception variant used.
        - ``complexity``: :func:`complexity` of the ground truth.
        - ``psnr_cap_db``: the cap (100).
        - ``frames``: per frame ``{"psnr", "ssim", "psnr_hole"}`` (``psnr_hole`` None where the frame has no hole).

    Raises:
        VideofillError: the arrays are not uint8 frames / bool holes, or their frame counts or sizes differ.
    """
    _validate(result, ground_truth, holes)
    per_frame = []
    box_ssims = []
    for t in range(result.shape[0]):
        hole_psnr = psnr(result[t], ground_truth[t], holes[t])
        per_frame.append(
            {
                "psnr": capped_psnr(psnr(result[t], ground_truth[t])),
                "ssim": ssim(result[t], ground_truth[t]),
                "psnr_hole": None if math.isnan(hole_psnr) else capped_psnr(hole_psnr),
            }
        )
        box = _hole_box_ssim(result[t], ground_truth[t], holes[t])
        if box is not None:
            box_ssims.append(box)
    video_hole_psnr = psnr(result, ground_truth, holes)
    sharpness = hole_sharpness_ratio(result, ground_truth, holes)
    cons_psnr, cons_ssim = consistency(result, holes, max_patches=consistency_patches, seed=seed)
    fid_value, fid_note = _fid(result, ground_truth, inception)
    return {
        "psnr": float(np.mean([f["psnr"] for f in per_frame])),
        "ssim": float(np.mean([f["ssim"] for f in per_frame])),
        "psnr_hole": None if math.isnan(video_hole_psnr) else capped_psnr(video_hole_psnr),
        "ssim_hole": float(np.mean(box_ssims)) if box_ssims else None,
        "hole_sharpness_ratio": None if math.isnan(sharpness) else sharpness,
        "consistency_psnr": None if math.isnan(cons_psnr) else cons_psnr,
        "consistency_ssim": None if math.isnan(cons_ssim) else cons_ssim,
        "fid": fid_value,
        "fid_note": fid_note,
        "complexity": complexity(ground_truth),
        "psnr_cap_db": PSNR_CAP_DB,
        "frames": per_frame,
    }


def format_table(report: dict[str, Any]) -> str:
    """A short human-readable table of an :func:`evaluate` report (one metric per line)."""

    def number(key: str, digits: int, unit: str = "") -> str:
        value = report.get(key)
        return "n/a" if value is None else f"{value:.{digits}f}{unit}"

    fid = number("fid", 2)
    if report.get("fid") is None and report.get("fid_note"):
        fid += f" ({report['fid_note']})"
    rows = [
        ("PSNR, full frame (mean over frames)", number("psnr", 2, " dB")),
        ("SSIM, full frame (mean over frames)", number("ssim", 4)),
        ("PSNR, hole pixels", number("psnr_hole", 2, " dB")),
        ("SSIM, hole bounding box", number("ssim_hole", 4)),
        ("Sharpness ratio, hole (result / truth)", number("hole_sharpness_ratio", 3)),
        ("Consistency PSNR (t -> t+1)", number("consistency_psnr", 2, " dB")),
        ("Consistency SSIM (t -> t+1)", number("consistency_ssim", 4)),
        ("FID", fid),
        ("Complexity (ground truth)", number("complexity", 2)),
        ("Frames", str(len(report.get("frames", [])))),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  {'-' * 10}"]
    lines += [f"{name:<{width}}  {value}" for name, value in rows]
    if report.get("psnr_cap_db") is not None:
        lines.append(f"(PSNR values capped at {report['psnr_cap_db']:g} dB)")
    return "\n".join(lines)
