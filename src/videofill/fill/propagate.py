"""Flow-guided propagation of known pixels into the hole: a classical guide for the network (the default preset).

Not part of the paper. The ``default`` preset uses it to get in seconds what the paper's schedule gets in hours:
hole pixels are filled from the other frames that show them, and from the frame's own spatial fill where they
disagree or none does; the network can be trained on top (the paper's losses plus a term pulling it towards this
guide on trusted pixels) to correct it. The ``paper`` preset does not use it.

Two motion models carry a hole pixel from frame to frame, because the flow inside the hole is unknown (it is the
flow of the object being removed):

- ``camera``: the homography fitted (RANSAC) to the flow on known pixels: right for a static background under a
  moving camera.
- ``local``: the input flow with the hole filled smoothly from its border (OpenCV's inpainting of the flow's
  deviation from the homography): right when the hole covers something that moves differently from the camera.

Each model tracks the pixel forwards and backwards, frame by frame, to the nearest frame where it lands on a known
pixel: up to four copies. The result is the per-channel median of those copies and of the frame's own spatial fill
(:func:`telea_fill`): a consensus, so one wrong motion model or a copy from a frame where the pixel was occluded is
outvoted; where the copies disagree, or only one exists, the value moves towards the spatial fill, and a pixel no
frame shows gets the spatial fill. A pixel is *trusted* when the result is one model's colour and that model's
forward and backward copies agree (or it found only one copy: nothing to check it against).

:func:`propagate_video` runs this more than once: the flows are estimated again on the filled video, so the flow
around the hole no longer sees a hole (the optical flow of the first pass bleeds across its edge), and propagation
is run again with them.

Conventions: frames uint8 (T, H, W, 3) RGB; holes bool (T, H, W), True = hole; flows float (H, W, 2) in pixels
(x, y), ``F_{t->s}`` defined on frame t's pixel grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from tqdm.auto import tqdm

# Colour disagreement (mean absolute difference over RGB, in [0, 255] units) between the forward and backward copies
# of a pixel above which the copy is not trusted.
AGREEMENT_TOLERANCE = 20.0
# Known-pixel samples per frame pair for the homography fit (a regular subsample of the known region).
HOMOGRAPHY_SAMPLES = 4000
# Pixels around the hole whose flow is also treated as unknown (DIS flow bleeds across the mask's edge).
FLOW_MARGIN_PX = 3
# A frame pair whose homography moves the corners by less than this (px) and whose holes overlap by at least this much
# (intersection over union) is a static camera over a static hole (see :func:`still_hole`).
STILL_CAMERA_PX = 0.6
STILL_HOLE_IOU = 0.9


@dataclass
class Propagation:
    """What propagation found for every hole pixel.

    Attributes:
        frames: uint8 (T, H, W, 3): the input with every hole pixel filled (known pixels unchanged): the median of
            the copies found in other frames and of the frame's spatial fill (the spatial fill alone where no other
            frame shows the pixel; the clip's mean colour there in a frame that is all hole).
        seen: bool (T, H, W): hole pixels that some other frame shows.
        trusted: bool (T, H, W): seen pixels whose fill is confirmed (see the module docstring).
        homographies: float64 (T - 1, 3, 3): maps pixel (x, y, 1) of frame t to frame t + 1.
    """

    frames: np.ndarray
    seen: np.ndarray
    trusted: np.ndarray
    homographies: np.ndarray


def _translation(shift: np.ndarray) -> np.ndarray:
    return np.array([[1, 0, shift[0]], [0, 1, shift[1]], [0, 0, 1]], dtype=np.float64)


def fit_homography(flow: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The homography that best explains a flow on the known pixels (RANSAC, 1 px threshold).

    Args:
        flow: float (H, W, 2), pixels (x, y), frame t -> frame t + 1.
        known: bool (H, W), pixels whose flow may be used.

    Returns:
        float64 (3, 3) mapping (x, y, 1) of frame t to frame t + 1; the translation by the median flow when fewer
        than 8 pixels are known or RANSAC fails.
    """
    ys, xs = np.nonzero(known)
    if len(xs) < 8:
        return _translation(np.median(flow.reshape(-1, 2), axis=0))
    step = max(1, len(xs) // HOMOGRAPHY_SAMPLES)
    xs, ys = xs[::step], ys[::step]
    source = np.stack([xs, ys], axis=1).astype(np.float32)
    target = source + flow[ys, xs].astype(np.float32)
    matrix, _ = cv2.findHomography(source, target, cv2.RANSAC, 1.0)
    return _translation(np.median(target - source, axis=0)) if matrix is None else matrix


def homography_flow(matrix: np.ndarray, height: int, width: int) -> np.ndarray:
    """The dense flow (H, W, 2) in pixels that a homography (3, 3) gives every pixel of the source frame."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    points = np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ matrix.T
    mapped = points[..., :2] / points[..., 2:3]
    return (mapped - np.stack([xs, ys], axis=-1)).astype(np.float32)


def complete_flow(flow: np.ndarray, camera: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """The flow with its unknown region filled smoothly from the border.

    The deviation ``flow - camera`` is inpainted (OpenCV Navier-Stokes; its Telea mode is unreliable on float
    images) in ``unknown`` and added back to ``camera``, so a hole
    surrounded by camera motion gets camera motion and a hole on a moving object gets that object's motion.

    Args:
        flow: float (H, W, 2), the estimated flow in pixels.
        camera: float (H, W, 2), the homography's flow (:func:`homography_flow`).
        unknown: bool (H, W), where ``flow`` is not to be believed (the hole, grown).

    Returns:
        float32 (H, W, 2).
    """
    if not unknown.any():
        return flow.astype(np.float32)
    if unknown.all():
        return camera.astype(np.float32)
    residual = (flow - camera).astype(np.float32)
    mask = unknown.astype(np.uint8)
    filled = np.stack([cv2.inpaint(np.ascontiguousarray(residual[..., c]), mask, 3, cv2.INPAINT_NS) for c in range(2)], axis=-1)
    return camera + filled


def still_hole(matrix: np.ndarray, hole: np.ndarray, next_hole: np.ndarray) -> bool:
    """Whether a static camera looks at a static hole between two frames: the homography (3, 3) moves the frame's
    corners by less than :data:`STILL_CAMERA_PX` px and the holes (bool (H, W)) overlap by :data:`STILL_HOLE_IOU` or
    more (intersection over union). Then the ``local`` model must not complete the flow inside the hole from its
    border: that carries the motion around the hole (a crowd behind a watermark) into it."""
    height, width = hole.shape
    corners = np.array([[0, 0, 1], [width - 1, 0, 1], [0, height - 1, 1], [width - 1, height - 1, 1]], np.float64)
    mapped = corners @ matrix.T
    moved = np.linalg.norm(mapped[:, :2] / mapped[:, 2:3] - corners[:, :2], axis=1).mean()
    union = np.count_nonzero(hole | next_hole)
    overlap = np.count_nonzero(hole & next_hole) / union if union else 1.0
    return bool(moved < STILL_CAMERA_PX and overlap >= STILL_HOLE_IOU)


def _track(frames, known, step_flows, t, order, start):
    """Follow the pixels ``start`` (bool (H, W)) of frame t along ``step_flows`` through the frames in ``order``.

    ``step_flows[s]`` is the flow (H, W, 2) from frame s to the next frame of ``order``. Returns the colour
    (H, W, 3) float32 found at the first frame where each pixel lands on a known pixel, and the mask of pixels
    found.
    """
    height, width = start.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    position = np.ascontiguousarray(np.stack([xs, ys], axis=-1))
    active = start.copy()
    colour = np.zeros((height, width, 3), np.float32)
    found = np.zeros((height, width), bool)
    previous = t
    for s in order:
        if not active.any():
            break
        flow = step_flows[previous]
        step = cv2.remap(flow, position, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        position = np.ascontiguousarray(position + step, dtype=np.float32)
        inside = (position[..., 0] >= 0) & (position[..., 0] <= width - 1) & (position[..., 1] >= 0) & (position[..., 1] <= height - 1)
        active &= inside
        hit = cv2.remap(known[s], position, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0) > 0.999
        take = active & hit
        if take.any():
            sampled = cv2.remap(frames[s], position, None, cv2.INTER_LINEAR)
            colour[take] = sampled[take]
            found |= take
            active &= ~take
        previous = s
    return colour, found


def _median(candidates, spatial, hole, fallback):
    """Per hole pixel and channel, the median of the copies found (``candidates``) and the spatial fill (None for a
    frame that is all hole, which has nothing to fill from); ``fallback`` (3,) where neither exists.
    Returns float32 (n, 3) for the n pixels of ``hole``."""
    count = int(hole.sum())
    values = [] if spatial is None else [spatial[hole].astype(np.float32)]
    for after, has_after, before, has_before in candidates:
        for colour, found in ((after, has_after), (before, has_before)):
            values.append(np.where(found[hole][:, None], colour[hole], np.nan))
    values = np.stack(values) if values else np.full((1, count, 3), np.nan, np.float32)
    empty = np.isnan(values).all(axis=0)
    values[0][empty] = np.broadcast_to(fallback, (count, 3))[empty]
    return np.nanmedian(values, axis=0)


def _trusted(candidates, fill, tolerance):
    """Pixels (bool (H, W)) where the fill (float (H, W, 3)) is confirmed: one model's forward and backward copies
    agree with each other, or that model found one copy only, and the fill is that model's colour (all within
    ``tolerance``, mean absolute RGB difference)."""
    trusted = np.zeros(fill.shape[:2], bool)
    for after, has_after, before, has_before in candidates:
        both = has_after & has_before
        agree = both & (np.abs(after - before).mean(axis=2) <= tolerance)
        colour = np.where(both[..., None], 0.5 * (after + before), np.where(has_after[..., None], after, before))
        close = np.abs(colour - fill).mean(axis=2) <= tolerance
        trusted |= (agree | (has_after ^ has_before)) & close
    return trusted


def propagate(
    frames: np.ndarray,
    holes: np.ndarray,
    forward_flows: np.ndarray,
    backward_flows: np.ndarray,
    max_distance: int | None = None,
    tolerance: float = AGREEMENT_TOLERANCE,
    spatial: np.ndarray | None = None,
    still_holes: bool = False,
) -> Propagation:
    """Fill hole pixels from the nearest frames (before and after) that show them, and from the frame itself.

    The hole content of ``frames`` is never read. Each hole pixel gets the per-channel median of the copies found
    and of the frame's spatial fill (:func:`telea_fill`; with an even number of values the median is the mean of
    the middle two, so a lone copy is averaged with the spatial fill). A frame that is all hole has no spatial fill:
    its pixels that no frame shows get the mean colour of the clip's known pixels.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        holes: bool (T, H, W), True = hole.
        forward_flows: float (T - 1, H, W, 2): ``F_{t->t+1}`` in pixels, on frame t's grid (any estimator).
        backward_flows: float (T - 1, H, W, 2): ``F_{t+1->t}`` in pixels, on frame t+1's grid.
        max_distance: look at most this many frames away (None: the whole clip).
        tolerance: see :data:`AGREEMENT_TOLERANCE`.
        spatial: ``telea_fill(frames, holes)`` when the caller already has it (None: computed here).
        still_holes: where :func:`still_hole` holds for a frame pair, the ``local`` model inside the hole moves with
            the camera (no motion carried in from the border). Off by default: it cost 0.4 dB on the static-camera
            composed cases (benchmarks/results/unseen.md).

    Returns:
        :class:`Propagation`.
    """
    count, height, width = holes.shape
    spatial = telea_fill(frames, holes) if spatial is None else spatial
    fallback = frames[~holes].mean(axis=0) if (~holes).any() else np.full(3, 127.5)
    reach = count if max_distance is None else max_distance
    known = (~holes).astype(np.float32)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * FLOW_MARGIN_PX + 1,) * 2)
    unknown = np.stack([cv2.dilate(h.astype(np.uint8), kernel) > 0 for h in holes])
    homographies, camera_fwd, camera_bwd, local_fwd, local_bwd = [], {}, {}, {}, {}
    for t in range(count - 1):
        matrix = fit_homography(forward_flows[t], ~unknown[t] & ~unknown[t + 1])
        homographies.append(matrix)
        camera_fwd[t] = homography_flow(matrix, height, width)
        camera_bwd[t + 1] = homography_flow(np.linalg.inv(matrix), height, width)
        local_fwd[t] = complete_flow(forward_flows[t], camera_fwd[t], unknown[t])
        local_bwd[t + 1] = complete_flow(backward_flows[t], camera_bwd[t + 1], unknown[t + 1])
        if still_holes and still_hole(matrix, holes[t], holes[t + 1]):  # nothing moves the hole's content: no motion carried in
            local_fwd[t][unknown[t]] = camera_fwd[t][unknown[t]]
            local_bwd[t + 1][unknown[t + 1]] = camera_bwd[t + 1][unknown[t + 1]]
    out = frames.copy()
    seen = np.zeros_like(holes)
    trusted = np.zeros_like(holes)
    for t in range(count):
        if not holes[t].any():
            continue
        ahead = range(t + 1, min(count, t + 1 + reach))
        behind = range(t - 1, max(-1, t - 1 - reach), -1)
        candidates = [
            _track(frames, known, fwd, t, ahead, holes[t]) + _track(frames, known, bwd, t, behind, holes[t])
            for fwd, bwd in ((camera_fwd, camera_bwd), (local_fwd, local_bwd))
        ]
        fill = _median(candidates, None if holes[t].all() else spatial[t], holes[t], fallback)
        out[t][holes[t]] = np.clip(np.rint(fill), 0, 255).astype(np.uint8)
        seen[t] = np.any([found for c in candidates for found in (c[1], c[3])], axis=0) & holes[t]
        trusted[t] = _trusted(candidates, out[t].astype(np.float32), tolerance) & holes[t]
    stacked = np.stack(homographies) if homographies else np.zeros((0, 3, 3))
    return Propagation(out, seen, trusted, stacked)


def neighbour_flows(frames: np.ndarray, estimator) -> tuple[np.ndarray, np.ndarray]:
    """The flows between consecutive frames, both ways.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        estimator: a :class:`videofill.fill.flow.FlowEstimator` (``estimator(a, b)`` -> float (H, W, 2) ``F_{a->b}``).

    Returns:
        float32 (T - 1, H, W, 2) ``F_{t->t+1}`` on frame t's grid, and float32 (T - 1, H, W, 2) ``F_{t+1->t}`` on
        frame t+1's grid.
    """
    pairs = list(zip(frames[:-1], frames[1:]))
    if not pairs:
        empty = np.zeros((0, *frames.shape[1:3], 2), np.float32)
        return empty, empty.copy()
    forward = np.stack([estimator(a, b) for a, b in pairs]).astype(np.float32)
    backward = np.stack([estimator(b, a) for a, b in pairs]).astype(np.float32)
    return forward, backward


def propagate_video(
    frames: np.ndarray,
    holes: np.ndarray,
    estimator,
    passes: int = 2,
    max_distance: int | None = None,
    flows: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = False,
) -> Propagation:
    """:func:`propagate` with flows from ``estimator``, repeated ``passes`` times, each pass with the flows
    estimated again on the previous pass's filled frames (the flow next to the hole improves once the hole is gone).

    Args:
        frames: uint8 (T, H, W, 3) RGB; only the first pass's flow estimation reads the hole content, so pass frames
            whose holes are blanked or filled, as :func:`videofill.fill.prepare.prepare` does.
        holes: bool (T, H, W), True = hole.
        estimator: a :class:`videofill.fill.flow.FlowEstimator`.
        passes: 1 or more.
        max_distance: see :func:`propagate`.
        flows: the first pass's (forward, backward) flows as :func:`neighbour_flows` returns them, when already
            estimated.
        progress: show a progress bar over the passes' stages (flow estimation, propagation).

    Returns:
        :class:`Propagation` of the last pass.
    """
    if passes < 1:
        raise ValueError(f"propagate_video: passes must be 1 or more, got {passes}")
    with tqdm(total=2 * passes, desc="propagation", unit="stage", disable=not progress, leave=False) as bar:
        bar.set_postfix_str("pass 1: flows")
        forward, backward = flows if flows is not None else neighbour_flows(frames, estimator)
        bar.update(1)
        bar.set_postfix_str("pass 1: copies")
        spatial = telea_fill(frames, holes)  # the same for every pass
        result = propagate(frames, holes, forward, backward, max_distance, spatial=spatial)
        bar.update(1)
        for index in range(2, passes + 1):
            bar.set_postfix_str(f"pass {index}: flows")
            forward, backward = neighbour_flows(result.frames, estimator)
            bar.update(1)
            bar.set_postfix_str(f"pass {index}: copies")
            result = propagate(frames, holes, forward, backward, max_distance, spatial=spatial)
            bar.update(1)
    return result


def telea_fill(frames: np.ndarray, holes: np.ndarray, radius: int = 3) -> np.ndarray:
    """Frame-by-frame OpenCV inpainting (Telea 2004, ``cv2.INPAINT_TELEA``): what no other frame can fill, and the
    weight-free reference result of the benchmarks.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        holes: bool (T, H, W), True = hole.
        radius: neighbourhood radius in px of the Telea method.

    Returns:
        uint8 (T, H, W, 3): known pixels exactly as in ``frames``, hole pixels filled.

    Raises:
        ValueError: shapes do not match or ``frames`` is not uint8.
    """
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8 or holes.shape != frames.shape[:3]:
        raise ValueError(
            f"telea_fill: expected uint8 frames (T, H, W, 3) and holes (T, H, W), got {frames.dtype} {frames.shape} "
            f"and {holes.shape}"
        )
    out = frames.copy()
    for t in range(frames.shape[0]):
        if holes[t].any():
            mask = holes[t].astype(np.uint8) * 255
            filled = cv2.inpaint(np.ascontiguousarray(frames[t]), mask, radius, cv2.INPAINT_TELEA)
            out[t][holes[t]] = filled[holes[t]]
    return out


__all__ = [
    "AGREEMENT_TOLERANCE",
    "Propagation",
    "complete_flow",
    "fit_homography",
    "homography_flow",
    "neighbour_flows",
    "propagate",
    "propagate_video",
    "still_hole",
    "telea_fill",
]
