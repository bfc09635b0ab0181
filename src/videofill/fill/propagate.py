"""Flow-guided propagation of known pixels into the hole: a classical guide for the network (the default preset).

Not part of the paper. The ``default`` preset uses it to get in seconds what the paper's schedule gets in hours:
hole pixels are filled from the other frames that show them, and from the frame's own spatial fill where they
disagree or none does; the network can be trained on top (the paper's losses plus a term pulling it towards this
guide on trusted pixels) to correct it. The ``paper`` preset does not use it.

Two motion models (:mod:`videofill.fill.motion`: the camera's homography, and the flow completed inside the hole
from its border) carry a hole pixel from frame to frame, because the flow inside the hole is unknown. Each model
tracks the pixel forwards and backwards, frame by frame, to the nearest frame where it lands on a known pixel: up to
four copies, read bicubic where no hole pixel is near (:func:`read_copy`: bilinear reading would blur each copy).
The result is the per-channel median of those copies and of the frame's own spatial fill (:func:`spatial_fill`: by
default the smooth fill from the hole's edge that measures best on trial copies of the clip's holes): a consensus,
so one wrong motion model or a copy from a frame where the pixel was occluded is outvoted; where the copies
disagree, or only one exists, the value moves towards the spatial fill, and a pixel no frame shows gets the spatial
fill (so does every pixel of a hole that stays put under a static camera, whatever was copied there:
:func:`drop_still_hole_copies`). With ``combine="one"`` (:func:`one_copy`) a pixel with two or more copies takes
one of them instead, the same source as its neighbours: a moving object whose copies disagree comes back solid, not
as the median's half-transparent blend of them (sharper, and about 0.8 dB lower PSNR on the composed cases, where
the blend hedges between misaligned copies).
``combine="agree"`` takes that copy only where the chosen source lies within :data:`AGREEMENT_TOLERANCE` of the
median around the pixel, and the median elsewhere: the copies' texture where they agree (the median of slightly
misaligned copies is a blurred version of any of them), the median's hedge where they do not. A pixel is *trusted*
when the result is one model's colour and that model's forward and backward copies agree (or it found only one copy:
nothing to check it against).

:func:`propagate_video` runs this more than once: the flows are estimated again on the filled video, so the flow
around the hole no longer sees a hole (the optical flow of the first pass bleeds across its edge), and propagation
is run again with them.

Conventions: frames uint8 (T, H, W, 3) RGB; holes bool (T, H, W), True = hole; flows float (H, W, 2) in pixels
(x, y), ``F_{t->s}`` defined on frame t's pixel grid.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np
from tqdm.auto import tqdm

from videofill.config import COMBINES, SPATIAL_FILLS
from videofill.fill.membrane import smooth_fills
from videofill.fill.motion import MotionModels, camera_is_static, motion_models, neighbour_flows, still_never
from videofill.fill.trials import choose_smooth

# Colour disagreement (mean absolute difference over RGB, in [0, 255] units) between the forward and backward copies
# of a pixel above which the copy is not trusted; with combine="agree", between a region's chosen copy and the median
# at and above which the median is kept.
AGREEMENT_TOLERANCE = 20.0
# Points per row of the maps given to cv2.remap when sampling scattered points.
REMAP_ROW = 1024
#: :func:`one_copy`: half side (px, at the working size) of the square over which a copy source is scored.
ONE_COPY_RADIUS = 4


@dataclass
class Propagation:
    """What propagation found for every hole pixel.

    Attributes:
        frames: uint8 (T, H, W, 3): the input with every hole pixel filled (known pixels unchanged): the median of
            the copies found in other frames and of the frame's spatial fill (the spatial fill alone where no other
            frame shows the pixel; the clip's mean colour there in a frame that is all hole).
        seen: bool (T, H, W): hole pixels that some other frame shows (the others are the spatial fill's).
        trusted: bool (T, H, W): seen pixels whose fill is confirmed (see the module docstring).
        homographies: float64 (T - 1, 3, 3): maps pixel (x, y, 1) of frame t to frame t + 1.
        models: the motion models the copies followed, to copy again at another resolution
            (:mod:`videofill.fill.fullres`); None when not kept.
        replaced: bool (T, H, W): hole pixels given the spatial fill whatever their copies said (what no frame shows
            of a hole that stays put under a static camera: :func:`drop_still_hole_copies`), neither seen nor
            trusted, and not to be copied again at another resolution; None: none.
        spatial_fill: the spatial fill used ("auto" resolved: :func:`resolve_spatial_fill`); None: not recorded.
    """

    frames: np.ndarray
    seen: np.ndarray
    trusted: np.ndarray
    homographies: np.ndarray
    models: MotionModels | None = None
    replaced: np.ndarray | None = None
    spatial_fill: str | None = None


def sample_points(image: np.ndarray, points: np.ndarray, interpolation: int = cv2.INTER_LINEAR,
                  border: int = cv2.BORDER_CONSTANT) -> np.ndarray:
    """``image`` read at scattered points (``cv2.remap``; constant border 0).

    Args:
        image: (H, W) or (H, W, C), uint8 or float32.
        points: float (N, 2), pixel positions (x, y) on ``image``'s grid (pixel centres at integers).
        interpolation: an OpenCV interpolation flag (bilinear by default).
        border: an OpenCV border mode.

    Returns:
        (N,) or (N, C) of ``image``'s dtype.
    """
    count = len(points)
    if count == 0:
        return np.zeros((0, *image.shape[2:]), image.dtype)
    width = min(count, REMAP_ROW)  # remap wants maps under 32767 px a side: points go in rows
    rows = -(-count // width)
    grid = np.zeros((rows * width, 2), np.float32)
    grid[:count] = points
    out = cv2.remap(image, grid.reshape(rows, width, 2), None, interpolation, borderMode=border, borderValue=0)
    return out.reshape(rows * width, *image.shape[2:])[:count]


def known_at(known: np.ndarray, points: np.ndarray) -> np.ndarray:
    """bool (N,): whether every pixel a bilinear read at ``points`` (float32 (N, 2), x y) weighs is known in ``known``
    ((H, W) uint8 in {0, 255} or float32 in [0, 1]; outside the frame counts as unknown)."""
    return sample_points(known, points) > 0.999 * (255 if known.dtype == np.uint8 else 1.0)


def read_copy(frame: np.ndarray, known: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A copy's colours: ``frame`` read at ``points`` bicubic where the 4x4 pixels bicubic reads are all known, bilinear
    elsewhere (next to the hole, and within a pixel of the frame's edge). Bilinear reading blurs a copy (a half-pixel
    shift averages two pixels, removing the finest detail); bicubic keeps more of it, and is kept off the hole so
    that no hole pixel leaks in.

    Args:
        frame: uint8 (H, W, 3).
        known: (H, W) uint8 in {0, 255} or float32 in [0, 1]: the frame's known pixels.
        points: float32 (N, 2), positions (x, y) whose bilinear neighbours are all known.

    Returns:
        float32 (N, 3) in [0, 255].
    """
    corner = np.floor(points)  # bicubic reads corner - 1 .. corner + 2 on each axis: four 2x2 blocks, each read
    deep = np.ones(len(points), bool)  # at its centre, where all four of its pixels weigh a quarter
    for shift in ((-0.5, -0.5), (1.5, -0.5), (-0.5, 1.5), (1.5, 1.5)):
        deep &= known_at(known, corner + np.float32(shift))
    colour = np.empty((len(points), frame.shape[2]), np.float32)
    for chosen, interpolation in ((deep, cv2.INTER_CUBIC), (~deep, cv2.INTER_LINEAR)):
        if chosen.any():
            colour[chosen] = sample_points(frame, points[chosen], interpolation)
    return colour


def to_grid(points: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Positions (N, 2) (x, y) on a grid ``scale`` (sx, sy) times finer -> on the coarser grid (pixel centres kept)."""
    if scale == (1.0, 1.0):
        return points
    factor = np.asarray(scale, np.float32)
    return (points + np.float32(0.5)) / factor - np.float32(0.5)


def track(frames, known, step, t, order, points, scale=(1.0, 1.0)):
    """Follow ``points`` of frame t through the frames in ``order``, one motion-model step at a time.

    Args:
        frames: uint8 (T, H, W, 3), the frames colours are read from.
        known: ``known(s)`` -> (H, W) float32 in [0, 1] or uint8 in {0, 255}: frame s's known pixels.
        step: ``step(s)`` -> float32 (h, w, 2): the flow in pixels from frame s to the next frame of ``order``, on
            frame s's grid at the model's resolution (``scale`` times coarser than ``frames``).
        t: the frame the points are in.
        order: the frames to visit, nearest first.
        points: float32 (N, 2), positions (x, y) in frame t at ``frames``' resolution.
        scale: (sx, sy), ``frames``' size over the model's: model positions and flows are scaled by it.

    Returns:
        float32 (N, 3), the colour (:func:`read_copy`) at the first frame where each point lands on a known pixel (all
        of its bilinear neighbours known), and bool (N,), the points found.
    """
    height, width = frames.shape[1:3]
    count = len(points)
    colour = np.zeros((count, 3), np.float32)
    found = np.zeros(count, bool)
    index = np.arange(count)
    position = np.ascontiguousarray(points, dtype=np.float32)
    factor = None if scale == (1.0, 1.0) else np.asarray(scale, np.float32)
    previous = t
    for s in order:
        if not len(index):
            break
        moved = sample_points(step(previous), to_grid(position, scale), border=cv2.BORDER_REPLICATE)
        position = position + (moved if factor is None else moved * factor)
        inside = (position[:, 0] >= 0) & (position[:, 0] <= width - 1) & (position[:, 1] >= 0) & (position[:, 1] <= height - 1)
        if not inside.all():
            index, position = index[inside], position[inside]
        mask = known(s)
        hit = known_at(mask, position)
        if hit.any():
            colour[index[hit]] = read_copy(frames[s], mask, position[hit])
            found[index[hit]] = True
            index, position = index[~hit], position[~hit]
        previous = s
    return colour, found


def copies(frames, known, models: MotionModels, t: int, points: np.ndarray, reach: int, scale=(1.0, 1.0)) -> list:
    """The copies of ``points`` of frame t found by each motion model, forwards and backwards (see :func:`track`).

    Returns:
        one ``(after, has_after, before, has_before)`` per model (camera, local): float32 (N, 3) colours and bool
        (N,) found masks.
    """
    count = len(frames)
    ahead = range(t + 1, min(count, t + 1 + reach))
    behind = range(t - 1, max(-1, t - 1 - reach), -1)
    found = []
    for forward, backward in ((models.camera_forward, models.camera_backward), (models.local_forward, models.local_backward)):
        after = track(frames, known, lambda s, f=forward: f[s], t, ahead, points, scale)
        before = track(frames, known, lambda s, b=backward: b[s - 1], t, behind, points, scale)
        found.append(after + before)
    return found


def consensus(candidates: list, spatial: np.ndarray | None, fallback: np.ndarray) -> np.ndarray:
    """Per point and channel, the median of the copies found (``candidates``, as :func:`copies` returns them) and the
    spatial fill (float (N, 3); None for a frame that is all hole, which has nothing to fill from); ``fallback``
    (3,) where neither exists. Returns float32 (N, 3)."""
    count = len(candidates[0][0]) if candidates else len(spatial)
    values = [] if spatial is None else [spatial.astype(np.float32)]
    for after, has_after, before, has_before in candidates:
        for colour, found in ((after, has_after), (before, has_before)):
            values.append(np.where(found[:, None], colour, np.nan))
    values = np.stack(values) if values else np.full((1, count, 3), np.nan, np.float32)
    valid = ~np.isnan(values)
    empty = ~valid.any(axis=0)
    values[0][empty] = np.broadcast_to(fallback, (count, 3))[empty]
    valid[0] |= empty
    ordered = np.sort(values, axis=0)  # NaN last
    number = valid.sum(axis=0)[None]
    low = np.take_along_axis(ordered, (number - 1) // 2, axis=0)[0]
    high = np.take_along_axis(ordered, number // 2, axis=0)[0]
    return ((low + high) / 2).astype(np.float32)  # the median of the values present (nanmedian, faster)


def one_copy(candidates: list, median: np.ndarray, points: np.ndarray, shape: tuple[int, int],
             radius: int = ONE_COPY_RADIUS, tolerance: float | None = None) -> np.ndarray:
    """One real copy per pixel, the same source for neighbouring pixels, instead of the per-channel median.

    Each copy source (a motion model and a direction, four in all) is scored at every pixel by the distance of its
    copy to the median, averaged over the hole pixels within ``radius`` px (a source missing there counts 255); each
    pixel with two or more copies takes the copy of its best-scored source, so a region takes one frame's copy, not a
    blend. Pixels with fewer copies keep ``median``; with ``tolerance``, so do pixels whose best source scores
    ``tolerance`` or more (the copies around them disagree: ``combine="agree"``).

    Args:
        candidates: one ``(after, has_after, before, has_before)`` per motion model, as :func:`copies` returns them.
        median: float (N, 3), :func:`consensus` of the same points (0-255).
        points: float (N, 2), the points' positions (x, y) in pixels, on a grid of ``shape`` (H, W).
        radius: half side (px) of the scoring square.
        tolerance: None, or a score (mean absolute difference over RGB, 0-255) at and above which the median is kept.

    Returns:
        float32 (N, 3).
    """
    values = np.stack([colour for c in candidates for colour in (c[0], c[2])])  # (K, N, 3)
    found = np.stack([has for c in candidates for has in (c[1], c[3])])  # (K, N)
    choose = found.sum(axis=0) >= 2
    if not choose.any():
        return median.astype(np.float32)
    distance = np.where(found, np.abs(values - median[None]).mean(axis=2), 255.0).astype(np.float32)
    xs, ys = np.clip(np.rint(points), 0, [shape[1] - 1, shape[0] - 1]).astype(int).T
    square = (2 * radius + 1, 2 * radius + 1)
    canvas = np.zeros(shape, np.float32)
    canvas[ys, xs] = 1.0
    around = cv2.boxFilter(canvas, -1, square, normalize=False, borderType=cv2.BORDER_CONSTANT)[ys, xs]
    scores = np.empty_like(distance)
    for k, row in enumerate(distance):
        canvas[ys, xs] = row
        scores[k] = cv2.boxFilter(canvas, -1, square, normalize=False, borderType=cv2.BORDER_CONSTANT)[ys, xs] / around
    scores[~found] = np.inf
    best = scores.argmin(axis=0)
    index = np.arange(len(median))
    chosen = values[best, index]
    if tolerance is not None:
        choose &= scores[best, index] < tolerance
    return np.where(choose[:, None], chosen, median).astype(np.float32)


def confirmed(candidates: list, fill: np.ndarray, tolerance: float) -> np.ndarray:
    """Points (bool (N,)) whose fill (float (N, 3)) is confirmed: one model's forward and backward copies agree with
    each other, or that model found one copy only, and the fill is that model's colour (all within ``tolerance``,
    mean absolute RGB difference)."""
    trusted = np.zeros(len(fill), bool)
    for after, has_after, before, has_before in candidates:
        both = has_after & has_before
        agree = both & (np.abs(after - before).mean(axis=1) <= tolerance)
        colour = np.where(both[:, None], 0.5 * (after + before), np.where(has_after[:, None], after, before))
        close = np.abs(colour - fill).mean(axis=1) <= tolerance
        trusted |= (agree | (has_after ^ has_before)) & close
    return trusted


def combined(candidates: list, median: np.ndarray, points: np.ndarray, shape: tuple[int, int], combine: str,
             radius: int = ONE_COPY_RADIUS) -> np.ndarray:
    """The fill of ``points`` under ``combine`` (one of :data:`videofill.config.COMBINES`): ``median`` itself, or
    :func:`one_copy` of the copies (with :data:`AGREEMENT_TOLERANCE` for "agree"). Arguments as :func:`one_copy`'s."""
    if combine == "median":
        return median
    return one_copy(candidates, median, points, shape, radius, AGREEMENT_TOLERANCE if combine == "agree" else None)


def propagate(
    frames: np.ndarray,
    holes: np.ndarray,
    forward_flows: np.ndarray,
    backward_flows: np.ndarray,
    max_distance: int | None = None,
    tolerance: float = AGREEMENT_TOLERANCE,
    spatial: np.ndarray | None = None,
    still_holes: bool = False,
    combine: str = "median",
) -> Propagation:
    """Fill hole pixels from the nearest frames (before and after) that show them, and from the frame itself.

    The hole content of ``frames`` is never read. Each hole pixel gets the per-channel median of the copies found
    and of the frame's spatial fill (:func:`spatial_fill`; with an even number of values the median is the mean of
    the middle two, so a lone copy is averaged with the spatial fill). A frame that is all hole has no spatial fill:
    its pixels that no frame shows get the mean colour of the clip's known pixels.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        holes: bool (T, H, W), True = hole.
        forward_flows: float (T - 1, H, W, 2): ``F_{t->t+1}`` in pixels, on frame t's grid (any estimator).
        backward_flows: float (T - 1, H, W, 2): ``F_{t+1->t}`` in pixels, on frame t+1's grid.
        max_distance: look at most this many frames away (None: the whole clip).
        tolerance: see :data:`AGREEMENT_TOLERANCE`.
        spatial: ``spatial_fill(frames, holes)`` when the caller already has it (None: computed here, "auto").
        still_holes: where :func:`videofill.fill.motion.still_hole` holds for a frame pair, the ``local`` model inside the hole moves with
            the camera (no motion carried in from the border). Off by default: it cost 0.4 dB on the static-camera
            composed cases (benchmarks/results/unseen.md).
        combine: one of :data:`videofill.config.COMBINES`: "median", "one" (:func:`one_copy`: no ghosts, sharper,
            lower PSNR) or "agree" (one copy where the copies agree, see the module docstring).

    Returns:
        :class:`Propagation`, with its motion models (``models``).
    """
    if combine not in COMBINES:
        raise ValueError(f"propagate: combine must be one of {', '.join(COMBINES)}, got {combine!r}")
    count = len(holes)
    spatial = spatial_fill(frames, holes) if spatial is None else spatial
    fallback = frames[~holes].mean(axis=0) if (~holes).any() else np.full(3, 127.5)
    reach = count if max_distance is None else max_distance
    known = (~holes).astype(np.float32)
    models, homographies = motion_models(forward_flows, backward_flows, holes, spatial, fallback, still_holes)
    out = frames.copy()
    seen = np.zeros_like(holes)
    trusted = np.zeros_like(holes)
    for t in range(count):
        hole = holes[t]
        if not hole.any():
            continue
        ys, xs = np.nonzero(hole)
        points = np.stack([xs, ys], axis=1).astype(np.float32)
        candidates = copies(frames, known.__getitem__, models, t, points, reach)
        fill = consensus(candidates, None if hole.all() else spatial[t][hole], fallback)
        fill = combined(candidates, fill, points, hole.shape, combine)
        values = np.clip(np.rint(fill), 0, 255).astype(np.uint8)
        out[t][hole] = values
        seen[t][hole] = np.any([found for c in candidates for found in (c[1], c[3])], axis=0)
        trusted[t][hole] = confirmed(candidates, values.astype(np.float32), tolerance)
    return Propagation(out, seen, trusted, homographies, models)


def propagate_video(
    frames: np.ndarray,
    holes: np.ndarray,
    estimator,
    passes: int = 2,
    max_distance: int | None = None,
    flows: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = False,
    combine: str = "median",
    spatial: str = "auto",
    hold_still_holes: bool = True,
    size: tuple[int, int] | None = None,
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
        combine: see :func:`propagate` (the last pass only: the earlier ones feed the flow estimation).
        spatial: which :func:`spatial_fill` (one of :data:`videofill.config.SPATIAL_FILLS`).
        hold_still_holes: :func:`drop_still_hole_copies` on the last pass's result.
        size: (W, h) of the real frames inside padded ones (padding at the right and bottom, all hole): the choice of
            the spatial fill and :func:`drop_still_hole_copies` judge the real frames only; None: the whole frames.

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
        name = resolve_spatial_fill(frames, holes, spatial, size)
        spatial = spatial_fill(frames, holes, name)  # the same for every pass
        result = propagate(frames, holes, forward, backward, max_distance, spatial=spatial,
                           combine=combine if passes == 1 else "median")
        bar.update(1)
        for index in range(2, passes + 1):
            bar.set_postfix_str(f"pass {index}: flows")
            forward, backward = neighbour_flows(result.frames, estimator)
            result = None  # its motion models are not needed any more
            bar.update(1)
            bar.set_postfix_str(f"pass {index}: copies")
            result = propagate(frames, holes, forward, backward, max_distance, spatial=spatial,
                               combine=combine if index == passes else "median")
            bar.update(1)
    result = dataclasses.replace(result, spatial_fill=name)
    return drop_still_hole_copies(result, holes, spatial, size) if hold_still_holes else result


def drop_still_hole_copies(propagation: Propagation, holes: np.ndarray, spatial: np.ndarray,
                           size: tuple[int, int] | None = None) -> Propagation:
    """Under a static camera, what no frame shows of a hole that stays put (a logo, a watermark:
    :func:`videofill.fill.motion.still_never`) takes the frame's spatial fill, whatever was copied there.

    No frame shows those pixels, yet the flow completed inside the hole carries the motion around it (a hand passing
    by, a crowd) in, and copies follow it: on the never-revealed holes of benchmarks/results/unseen.md they measured
    worse than the spatial fill ("Night 12"). Those pixels are ``replaced``: neither seen nor trusted, and never
    copied again at another resolution (:mod:`videofill.fill.fullres`); `--quality best` synthesises them. A frame
    that is all hole has no spatial fill and keeps its copies.

    Args:
        propagation: :class:`Propagation` of ``holes``.
        holes: bool (T, H, W), True = hole.
        spatial: uint8 (T, H, W, 3), :func:`spatial_fill` of the frames.
        size: (W, h) of the real frames inside padded ones (the padding, at the right and bottom, is all hole and
            never replaced: it would join the holes that touch it); None: the whole frames.

    Returns:
        A new :class:`Propagation` (the same pixels when the camera moves or no hole stays put); ``replaced`` is set
        (all False when nothing was replaced).
    """
    count = len(holes)
    width, height = size if size is not None else (holes.shape[2], holes.shape[1])
    real = holes[:, :height, :width]
    replaced = np.zeros_like(holes)
    if camera_is_static(propagation.homographies, height, width):
        replaced[:, :height, :width] = still_never(real)[None]
        replaced[real.reshape(count, -1).all(axis=1)] = False  # all hole: nothing to fill from
    if not replaced.any():
        return dataclasses.replace(propagation, replaced=replaced)
    frames = propagation.frames.copy()
    frames[replaced] = spatial[replaced]
    return dataclasses.replace(propagation, frames=frames, seen=propagation.seen & ~replaced,
                               trusted=propagation.trusted & ~replaced, replaced=replaced)


def resolve_spatial_fill(frames: np.ndarray, holes: np.ndarray, smooth: str = "auto",
                         size: tuple[int, int] | None = None) -> str:
    """The spatial fill ``smooth`` names: itself, or for "auto" the smooth fill of
    :data:`videofill.fill.membrane.SMOOTHS` that measures best on trial copies of the holes
    (:func:`videofill.fill.trials.choose_smooth`).

    Args:
        frames: uint8 (T, H, W, 3) RGB; holes: bool (T, H, W), True = hole.
        smooth: one of :data:`videofill.config.SPATIAL_FILLS` (ValueError for another name).
        size: (W, h) of the real frames inside padded ones (the padding, all hole, is left out of the trials);
            None: the whole frames.
    """
    if smooth not in SPATIAL_FILLS:
        raise ValueError(f"spatial_fill: unknown fill {smooth!r}; choose one of {', '.join(SPATIAL_FILLS)}")
    if smooth != "auto":
        return smooth
    width, height = size if size is not None else (holes.shape[2], holes.shape[1])
    return choose_smooth(frames[:, :height, :width], holes[:, :height, :width])


def spatial_fill(frames: np.ndarray, holes: np.ndarray, smooth: str = "auto",
                 size: tuple[int, int] | None = None) -> np.ndarray:
    """Each frame's own fill of its holes from their edge: what a pixel no other frame shows gets, and the last vote
    of :func:`consensus`.

    By default ("auto") the smooth fill of :data:`videofill.fill.membrane.SMOOTHS` with the lowest error on trial
    copies of the clip's holes (:func:`videofill.fill.trials.choose_smooth`): on benchmarks/results/unseen.md
    ("Night 12") +0.13 dB of mean full-frame PSNR over the membrane alone on the composed cases and up to +1.7 dB in
    never-revealed holes (lower on one of 21 cases, by 0.13 dB), for up to about 50 % more CPU time when the thin
    plate is chosen (the membrane: one sparse solve per frame, a few ms for a small hole, about 0.1 s for a third of a
    432 px frame). The membrane alone ("Night 11") gave +0.25 dB over Telea's fast marching.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        holes: bool (T, H, W), True = hole.
        smooth: one of :data:`videofill.config.SPATIAL_FILLS`: a smooth fill of
            :data:`videofill.fill.membrane.SMOOTHS`, "auto" (the one of them that measures best on trial copies of
            this clip's holes: :func:`videofill.fill.trials.choose_smooth`) or "telea" (:func:`telea_fill`).
        size: (W, h) of the real frames inside padded ones (the padding, all hole, is left out of the trials);
            None: the whole frames.

    Returns:
        uint8 (T, H, W, 3): known pixels exactly as in ``frames``, hole pixels filled (a frame that is all hole is
        left as it is: it has nothing to fill from).

    Raises:
        ValueError: an unknown ``smooth``, shapes that do not match, or ``frames`` not uint8.
    """
    _check_frames(frames, holes, "spatial_fill")
    smooth = resolve_spatial_fill(frames, holes, smooth, size)
    if smooth == "telea":
        return telea_fill(frames, holes)
    out = frames.copy()
    for t in range(frames.shape[0]):
        if holes[t].any() and not holes[t].all():
            out[t] = smooth_fills(frames[t], holes[t], (smooth,))[smooth]
    return out


def _check_frames(frames: np.ndarray, holes: np.ndarray, caller: str) -> None:
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8 or holes.shape != frames.shape[:3]:
        raise ValueError(
            f"{caller}: expected uint8 frames (T, H, W, 3) and holes (T, H, W), got {frames.dtype} {frames.shape} "
            f"and {holes.shape}"
        )


def telea_fill(frames: np.ndarray, holes: np.ndarray, radius: int = 3) -> np.ndarray:
    """Frame-by-frame OpenCV inpainting (Telea 2004, ``cv2.INPAINT_TELEA``): the weight-free reference result of
    the benchmarks, the fill that flow estimation sees in the holes (:mod:`videofill.fill.prepare`), and one choice of
    :func:`spatial_fill`.

    Args:
        frames: uint8 (T, H, W, 3) RGB.
        holes: bool (T, H, W), True = hole.
        radius: neighbourhood radius in px of the Telea method.

    Returns:
        uint8 (T, H, W, 3): known pixels exactly as in ``frames``, hole pixels filled.

    Raises:
        ValueError: shapes do not match or ``frames`` is not uint8.
    """
    _check_frames(frames, holes, "telea_fill")
    out = frames.copy()
    for t in range(frames.shape[0]):
        if holes[t].any():
            mask = holes[t].astype(np.uint8) * 255
            filled = cv2.inpaint(np.ascontiguousarray(frames[t]), mask, radius, cv2.INPAINT_TELEA)
            out[t][holes[t]] = filled[holes[t]]
    return out


__all__ = [
    "AGREEMENT_TOLERANCE",
    "ONE_COPY_RADIUS",
    "Propagation",
    "combined",
    "confirmed",
    "consensus",
    "copies",
    "drop_still_hole_copies",
    "known_at",
    "one_copy",
    "propagate",
    "propagate_video",
    "read_copy",
    "resolve_spatial_fill",
    "sample_points",
    "spatial_fill",
    "telea_fill",
    "to_grid",
    "track",
]
