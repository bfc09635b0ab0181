"""The two motion models that carry a hole pixel from frame to frame (for :mod:`videofill.fill.propagate`).

The flow inside a hole is unknown (it is the flow of the object being removed), so each step between neighbouring
frames gets two guesses:

- ``camera``: the homography fitted (RANSAC) to the flow on known pixels: right for a static background under a
  moving camera.
- ``local``: the input flow with the hole filled smoothly from its border (OpenCV's inpainting of the flow's
  deviation from the homography): right when the hole covers something that moves differently from the camera.

Conventions: holes bool (T, H, W), True = hole; flows float (H, W, 2) in pixels (x, y), ``F_{t->s}`` defined on
frame t's pixel grid; homographies float64 (3, 3) mapping (x, y, 1) of frame t to frame t + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Known-pixel samples per frame pair for the homography fit (a regular subsample of the known region).
HOMOGRAPHY_SAMPLES = 4000
# Pixels around the hole whose flow is also treated as unknown (DIS flow bleeds across the mask's edge).
FLOW_MARGIN_PX = 3
#: Mean corner displacement (px per frame) of a fitted homography below which the camera counts as static
#: (:func:`still_hole`, :func:`camera_is_static`).
STATIC_CAMERA_PX = 0.6
#: Intersection over union of holes at or above which a hole stays put (:func:`still_hole` for two frames,
#: :func:`still_never` for a clip).
STILL_HOLE_IOU = 0.9


@dataclass
class MotionModels:
    """The two motion models of every step between neighbouring frames, at the grid they were estimated on.

    Attributes:
        camera_forward, local_forward: float32 (T - 1, h, w, 2): step t -> t + 1 on frame t's grid, pixels (x, y).
        camera_backward, local_backward: float32 (T - 1, h, w, 2): index t is the step t + 1 -> t on frame t + 1's grid.
        spatial: uint8 (T, h, w, 3): the frames' own spatial fill (:func:`videofill.fill.propagate.spatial_fill`),
            the consensus's last vote.
        fallback: float (3,): the clip's mean known colour, for pixels of an all-hole frame no frame shows.
    """

    camera_forward: np.ndarray
    camera_backward: np.ndarray
    local_forward: np.ndarray
    local_backward: np.ndarray
    spatial: np.ndarray
    fallback: np.ndarray


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


def corner_moves(matrices: np.ndarray, height: int, width: int) -> np.ndarray:
    """How far (px) each homography of ``matrices`` (float (N, 3, 3), mapping (x, y, 1)) moves each corner of a
    ``height`` x ``width`` frame: float64 (N, 4)."""
    corners = np.array([[0, 0, 1], [width - 1, 0, 1], [0, height - 1, 1], [width - 1, height - 1, 1]], np.float64)
    mapped = corners @ np.asarray(matrices, np.float64).transpose(0, 2, 1)
    return np.linalg.norm(mapped[..., :2] / mapped[..., 2:3] - corners[:, :2], axis=-1)


def still_hole(matrix: np.ndarray, hole: np.ndarray, next_hole: np.ndarray) -> bool:
    """Whether a static camera looks at a static hole between two frames: the homography (3, 3) moves the frame's
    corners by less than :data:`STATIC_CAMERA_PX` px and the holes (bool (H, W)) overlap by :data:`STILL_HOLE_IOU` or
    more (intersection over union). Then the ``local`` model must not complete the flow inside the hole from its
    border: that carries the motion around the hole (a crowd behind a watermark) into it."""
    moved = corner_moves(matrix[None], *hole.shape).mean()
    union = np.count_nonzero(hole | next_hole)
    overlap = np.count_nonzero(hole & next_hole) / union if union else 1.0
    return bool(moved < STATIC_CAMERA_PX and overlap >= STILL_HOLE_IOU)


def camera_is_static(homographies: np.ndarray, height: int, width: int, threshold: float = STATIC_CAMERA_PX) -> bool:
    """Whether every fitted homography (float (T - 1, 3, 3), frame t -> t + 1) moves the frame's corners by less
    than ``threshold`` px on average."""
    return len(homographies) == 0 or bool((corner_moves(homographies, height, width).mean(axis=1) < threshold).all())


def still_never(holes: np.ndarray, share: float = STILL_HOLE_IOU) -> np.ndarray:
    """The pixels that no frame shows in the holes that stay put: bool (H, W).

    A hole stays put when the pixels that every frame has in its hole make up ``share`` or more of it (intersection
    over union, as :func:`videofill.fill.motion.still_hole` judges two frames): a logo or a watermark, 1. Each
    connected part (8-connected) of the pixels that some frame has in its hole is judged on its own, so a watermark
    stays put beside a person who walks (but not where the person's hole ever touches it: parts that touch are
    judged as one). A frame that is all hole (a cut to black) says nothing of where the hole lies and is left out.

    Args:
        holes: bool (T, H, W), True = hole.
        share: the least intersection over union of a part that stays put, in [0, 1].
    """
    never = holes.all(axis=0)
    if not never.any():
        return never
    some = holes[~holes.all(axis=(1, 2))]  # the intersection is the same without all-hole frames, the union is not
    union = (some if len(some) else holes).any(axis=0)
    count, labels = cv2.connectedComponents(union.astype(np.uint8), connectivity=8)
    sizes = np.bincount(labels.ravel(), minlength=count)
    hidden = np.bincount(labels[never], minlength=count)
    stays = hidden >= share * sizes
    stays[0] = False
    return never & stays[labels]


def motion_models(forward_flows, backward_flows, holes, spatial, fallback, still_holes: bool = False
                  ) -> tuple[MotionModels, np.ndarray]:
    """The camera and local models of every step (see the module docstring) and the homographies (T - 1, 3, 3).

    Args: as :func:`propagate`; ``spatial`` uint8 (T, H, W, 3) the spatial fill, ``fallback`` (3,) the mean colour.
    """
    count, height, width = holes.shape
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * FLOW_MARGIN_PX + 1,) * 2)
    unknown = np.stack([cv2.dilate(h.astype(np.uint8), kernel) > 0 for h in holes])
    steps = np.zeros((4, max(count - 1, 0), height, width, 2), np.float32)
    homographies = []
    for t in range(count - 1):
        matrix = fit_homography(forward_flows[t], ~unknown[t] & ~unknown[t + 1])
        homographies.append(matrix)
        steps[0, t] = homography_flow(matrix, height, width)
        steps[1, t] = homography_flow(np.linalg.inv(matrix), height, width)
        steps[2, t] = complete_flow(forward_flows[t], steps[0, t], unknown[t])
        steps[3, t] = complete_flow(backward_flows[t], steps[1, t], unknown[t + 1])
        if still_holes and still_hole(matrix, holes[t], holes[t + 1]):  # nothing moves the hole's content
            steps[2, t][unknown[t]] = steps[0, t][unknown[t]]
            steps[3, t][unknown[t + 1]] = steps[1, t][unknown[t + 1]]
    models = MotionModels(steps[0], steps[1], steps[2], steps[3], spatial, np.asarray(fallback, np.float64))
    return models, (np.stack(homographies) if homographies else np.zeros((0, 3, 3)))


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


__all__ = [
    "FLOW_MARGIN_PX",
    "STATIC_CAMERA_PX",
    "STILL_HOLE_IOU",
    "MotionModels",
    "camera_is_static",
    "complete_flow",
    "corner_moves",
    "fit_homography",
    "homography_flow",
    "motion_models",
    "neighbour_flows",
    "still_hole",
    "still_never",
]
