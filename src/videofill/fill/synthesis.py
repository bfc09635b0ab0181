"""What no frame shows: texture from the same video instead of a spatial smear.

Not part of the paper's pipeline, but its idea. Propagation (:mod:`videofill.fill.propagate`) fills a hole pixel from
the frames that show it; a pixel that no frame shows (a static logo, a watermark, a person who never moves away) gets
the frame's spatial fill, a smooth smear. :func:`synthesize_video` replaces those pixels:

- Static camera: the video has one background *plate* (per pixel, the median of the frames that show it). Its
  never-shown region is filled once (:func:`fill_plate`): with the paper's network trained on the plate
  (:func:`videofill.fill.learned.dip_fill`), by the network's fill, its hedge with diffusion (the network's fine
  detail on diffusion's coarse part; on a wide region, on the mean of diffusion's and a coarse network's, trained on
  the plate at half size: :data:`COARSE_SCALE`), or exemplar copies (:func:`videofill.fill.exemplar.exemplar_fill`,
  whole patches of the plate copied in, edges first, guided by diffusion or by the hedge on diffusion alone, their
  detail softened, on a wide region on the hedge's coarse part: :data:`EXEMPLAR_CONTRAST`),
  whichever has the lowest error on copies of the region's parts moved onto known pixels of the plate among those
  that keep texture there
  (:data:`TEXTURE_FLOOR`), the errors pooled over all parts and measured in the frames; without the network, by
  patches (:func:`videofill.fill.patches.patch_synthesis`) or exemplar copies (on parts thick enough) when they
  measure better than diffusion, else by diffusion. Diffusion is the smooth fill from the hole's edge that measures
  best on the same copies (:data:`SMOOTHS`: the membrane, the thin plate, or their mean). Every frame takes the
  result shifted by its own difference from the plate, carried in from the hole's edge by the membrane
  (:func:`blend_plate`): the fill is stable in time and still follows what moves or changes light at the hole's edge.
  Where a hole stays put (:func:`videofill.fill.motion.still_never`: a logo, a watermark) every pixel that no frame
  shows takes it, whatever propagation copied there (propagation sets those copies aside:
  :func:`videofill.fill.propagate.drop_still_hole_copies`; with ``hold_still_holes`` off they are kept).
- A camera that moves a little (hand-held, a slow drift: the chained homographies align every frame to the middle
  one within :data:`ALIGNED_PLATE_SHARE` of the diagonal): the same, on the plate of the frames warped onto the
  middle one (:func:`align_to_middle`), for the pixels no frame shows; each frame takes the fill warped back.
- A camera that moves more: each frame is synthesised with patches on its own, its matches started from the
  previous frame's, when patches beat Telea's fast marching on the first frame's copies (or always, when
  patches or exemplar copies are forced).

Conventions: images uint8 (H, W, 3) RGB or (T, H, W, 3); masks bool, True = to fill; coordinates (y, x) in pixels.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import cv2
import numpy as np

from videofill.config import UNSEEN_FILLERS
from videofill.fill.exemplar import exemplar_fill
from videofill.fill.learned import coarse_dip_fill, dip_fill, smallest_side
from videofill.fill.membrane import SMOOTHS, check_smooths, membrane_solve, smooth_fills
from videofill.fill.motion import camera_is_static, corner_moves
from videofill.fill.patches import PATCH, patch_synthesis
from videofill.fill.trials import part_copies, trial_copies

#: Only parts of the unseen region that hold a disc of this radius (px) may take patches or exemplar copies (see
#: :func:`thick_parts`).
MIN_RADIUS_PX = 6.0
#: On the static plate without the network, patches replace diffusion when their squared error on those copies is
#: below this factor of diffusion's (1.0: the lower error wins; with the network, see :func:`fill_plate`).
VALIDATION_MARGIN = 1.0
#: Known pixels (px) kept around a region when :func:`blend_plate` diffuses a frame's difference from the plate
#: into it (the membrane reads a region pixel's 4 neighbours: 1 or more give the whole frame's result, to float
#: rounding; 8, the margin Telea needed before, kept so that the figures measured with it stand).
BLEND_MARGIN = 8
#: Moving camera: patches, frame by frame, must beat Telea (propagation's spatial fill when this was measured) on
#: copies in the first frame by this factor (0.8: about 1 dB), since one frame's copies say less about the others.
MOVING_MARGIN = 0.8
#: A moving camera whose frames the chained homographies align to the middle one with no corner moved further than
#: this share of the frame's diagonal (a hand-held shot, a slow drift) gets the static camera's plate, built on the
#: aligned frames (:func:`align_to_middle`); a wider move keeps patches frame by frame.
ALIGNED_PLATE_SHARE = 0.1
#: A candidate between the network's texture and diffusion's smooth hedge: the network's detail finer than
#: :data:`HEDGE_SIGMA_PX` at full contrast on diffusion's coarser part (most of the error of a fill is coarse, and
#: there diffusion, chosen among the smooth fills, guesses better than the network: on the 16 never-revealed holes of
#: benchmarks/results/unseen.md, "Night 7", better on 14 than on the mean of the two coarse parts, Nights 5-6's hedge);
#: on wide regions, the mean of diffusion's and a coarse network's coarser parts (:data:`COARSE_SCALE`).
NETWORK_AND_DIFFUSION = "network+diffusion"
#: The hedge's coarse part (:data:`NETWORK_AND_DIFFUSION`) on regions with a part that holds a disc of
#: :data:`EXEMPLAR_MIN_RADIUS_PX`: the mean of diffusion's and a second network's, trained on the plate shrunk this
#: many times for this many times the steps (:func:`videofill.fill.learned.coarse_dip_fill`), the coarse step of a
#: coarse-to-fine schedule. On the 8 never-revealed boxes of benchmarks/results/unseen.md ("Night 9", the hedge forced
#: end to end) the hedge went from +1.13 / +0.49 dB over Telea (two layouts) to +1.25 / +0.73 at the same sharpness,
#: gaining on each box; the choice of `best` went from +0.97 / +0.21 to +1.02 / +0.21 (the hedge is not always chosen).
#: Exemplar+network keeps diffusion's coarse part in the hedge it is guided by: with this one its copies moved,
#: +0.15 dB on one layout and -0.12 on the other. Once copied, the exemplar copies' detail is laid on the mean (the
#: hedge's coarse part), not on diffusion's (:data:`EXEMPLAR_CONTRAST`). On thin strokes (watermarks) the coarse network alone lost 0.4-1.2 dB
#: to diffusion, so thinner regions do not train it.
COARSE_SCALE = 2
#: Gaussian sigma (px) that splits the network's fill into the detail it keeps and the coarse part it leaves
#: (1, 2 and 4 compared on middle frames, 4 kept the most texture; then on the 16 never-revealed holes of
#: benchmarks/results/unseen.md "Night 5", against the plain mean: sharpness +0.07 to +0.11, hole PSNR -0.23 to +0.01;
#: "Night 7", with diffusion's coarse part, 2 px: the hedge alone +0.07 / +0.17 dB on the watermarks, its sharpness
#: 0.03-0.07 lower on every kind).
HEDGE_SIGMA_PX = 4.0
#: The fillers :func:`fill_plate` may use (which of them compete depends on whether the network runs there).
FILLERS = tuple(name for name in UNSEEN_FILLERS if name != "auto")
#: Exemplar copies (:func:`videofill.fill.exemplar.exemplar_fill`) guided by the network's detail on diffusion's
#: coarse part (the hedge without the coarse network of :data:`COARSE_SCALE`) instead of by diffusion alone; parts
#: too thin for copies take the hedge (:data:`NETWORK_AND_DIFFUSION`).
EXEMPLAR_AND_NETWORK = "exemplar+network"
#: With the network trained, :func:`fill_plate` takes the candidate with the lowest copy error among those whose hole
#: sharpness ratio on the copies (:func:`texture_ratio`, the fill's mean gradient over the plate's) is at least this
#: (the bar benchmarks/results/unseen.md's targets set for texture; 0.55 and 0.7 chose alike on its 16 never-revealed
#: holes, "Night 6"); when none is that textured, the lowest error.
TEXTURE_FLOOR = 0.6
#: Exemplar copies (both candidates) keep their detail finer than :data:`HEDGE_SIGMA_PX` at this fraction of its
#: contrast, on their own coarser part, over the pixels they copied. A copy is this video's texture at full contrast,
#: right in kind but not in place (benchmarks/results/unseen.md, Night 8: on the truth's own coarse part it cost
#: 0.4-1.0 dB against diffusion's detail). On the never-revealed boxes ("Night 10", end to end) 0.8 instead of 1
#: gained on each box where copies were chosen, 0.03 to 0.42 dB, and the boxes' mean sharpness went from 0.75 to 0.68
#: in both layouts; 0.7 and 0.9 traded the two further each way. The choice judges the copies so softened. Where the
#: coarse network is trained (:data:`COARSE_SCALE`), the copies' detail lies on the hedge's coarse part instead of
#: their own: the boxes +1.18 -> +1.30 dB (centre) and +0.36 -> +0.59 (offset) at sharpness 0.67 ("Night 10").
EXEMPLAR_CONTRAST = 0.8
#: Exemplar copies compete (are tried on the copies) only when a part of the region holds a disc of this radius
#: (px); when they win, every part thick enough for patches takes them. On the never-revealed holes of
#: benchmarks/results/unseen.md ("Night 6") the watermarks' letters (strokes holding discs of 7.6-11.5 px) were filled
#: by copies that won on the copies and lost in the hole (centre layout +0.76 dB over Telea where the network gives
#: +1.48); boxes (23 px) and the girls of removal_schoolgirls (15-19 px) are wider.
EXEMPLAR_MIN_RADIUS_PX = 12.0
#: The fillers that need the network trained.
_NETWORK_FILLERS = ("network", NETWORK_AND_DIFFUSION, EXEMPLAR_AND_NETWORK)
#: The candidates of :func:`fill_plate`'s choice when the network is trained.
_NETWORK_CHOICE = ("network", NETWORK_AND_DIFFUSION, "exemplar", EXEMPLAR_AND_NETWORK)
#: The fillers that copy patches of the video in (under a moving camera, each asks for patches frame by frame).
_THICK_FILLERS = ("patches", "exemplar")
#: Parts too thin for copies (:func:`thick_parts`) take, instead of a copying filler, the fill it copies onto.
_THIN_PARTS = {"patches": "diffusion", "exemplar": "diffusion", EXEMPLAR_AND_NETWORK: NETWORK_AND_DIFFUSION}


@dataclass
class PlateFill:
    """What :func:`fill_plate` did.

    Attributes:
        filled: uint8 (H, W, 3), the plate with its never-shown pixels filled.
        choices: one (part mask bool (H, W), filler name from :data:`FILLERS`) per connected part.
        errors: filler name -> mean squared error (0-255 scale) over the validation copies, in the frames when
            :func:`fill_plate` was given them (empty when there are no copies).
        textures: filler name -> hole sharpness ratio of its fill over the copies on the plate (empty likewise).
        smooth: the name from :data:`SMOOTHS` that diffusion was.
    """

    filled: np.ndarray
    choices: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    textures: dict = field(default_factory=dict)
    smooth: str = SMOOTHS[0]


def thick_parts(mask: np.ndarray, radius: float = MIN_RADIUS_PX) -> np.ndarray:
    """The connected parts (8-connected) of ``mask`` (bool (H, W)) that hold a disc of ``radius`` px: bool (H, W).

    Thin parts (text strokes, a thin outline) are filled better by diffusion from their two close edges than by
    patches, which need a hole wider than themselves to match on."""
    if not mask.any():
        return mask.copy()
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    depth = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    deepest = np.zeros(count, np.float32)
    np.maximum.at(deepest, labels.ravel(), depth.ravel())
    keep = deepest >= radius
    keep[0] = False
    return keep[labels]


def _telea(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    return cv2.inpaint(image, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA) if hole.any() else image.copy()


def fill_plate(
    plate, never, network_steps=0, patch=PATCH, seed=0, min_radius=MIN_RADIUS_PX, device="cpu", fillers=FILLERS,
    progress=False, frames=None, holes=None, network_runs=1, smooths=SMOOTHS,
):
    """Fill ``never`` with the candidate that measures best on copies of its parts moved onto known pixels.

    Every connected part gets up to :data:`videofill.fill.trials.TRIAL_SHIFTS` copies moved onto known pixels
    (:func:`videofill.fill.trials.part_copies`); the copies are hidden and filled by the candidates: diffusion (the
    smooth fill of ``smooths`` with the lowest error on the copies, :data:`SMOOTHS`, chosen first: the others build
    on it);
    exemplar copies guided by diffusion ("exemplar"; the copies of both exemplar candidates keep their detail at
    :data:`EXEMPLAR_CONTRAST`, on the hedge's coarse part where the coarse network is trained), on the copies of
    parts that hold a disc of ``min_radius`` px,
    when some part holds a disc of :data:`EXEMPLAR_MIN_RADIUS_PX`; the network, when ``network_steps`` > 0, trained
    once (``network_runs`` networks) with the parts and the copies hidden, its hedge with diffusion
    (:data:`NETWORK_AND_DIFFUSION`; when some part holds a disc of :data:`EXEMPLAR_MIN_RADIUS_PX`, on the mean of
    diffusion and the coarse network of :data:`COARSE_SCALE`, trained likewise) and exemplar copies guided by the
    hedge on diffusion alone (:data:`EXEMPLAR_AND_NETWORK`); without
    the network, patches. With ``frames``, each candidate's plate is carried
    into every frame as the video will take it (:func:`blend_plate`) and judged against the frames' own pixels under
    the copies (where a frame shows them): what moves over the background or changes its light counts. The squared
    error is pooled over all the copies together (a part's one or two copies are too few pixels to choose on: the
    letters of a watermark chose noisily one by one), and one candidate wins for the whole plate:

    - with the network: among the network, its hedge and the two exemplar candidates, the lowest error among those
      whose hole sharpness ratio on the copies is at least :data:`TEXTURE_FLOOR` (the lowest error of all when none
      is). The lowest error alone prefers the smoothest guess: on the boxes of benchmarks/results/unseen.md it gave
      sharpness 0.48 / 0.39 (two layouts, "Night 5"), and on removal_schoolgirls person-shaped silhouettes of
      mottled texture; with the floor ("Night 6"), 0.65 / 0.67 for 0.18 / 0.35 dB less hole PSNR (still above
      Telea), and the wall and the ground continued where the girls stood. Diffusion is not chosen there: it is
      the smear this stage exists to replace (sharpness 0.1-0.6 of the truth's; the hedge keeps its coarse part).
    - without it: patches or exemplar copies, whichever has the lower error, when it is below
      :data:`VALIDATION_MARGIN` times diffusion's, else diffusion.

    Parts too thin for copies keep what the copies were laid on (diffusion; for "exemplar+network" its guide, the
    hedge on diffusion alone, reported as "network+diffusion"). No copy
    at all: diffusion. ``fillers`` restricts the candidates (for comparisons); without "diffusion" among them only the
    smooth fill is chosen on the copies and the first filler given that can run wins (thin parts as above; the
    network is still trained with the copies hidden, so a forced run shows the fill the comparison judges).

    Args:
        plate: uint8 (H, W, 3), the background (values under ``never`` are ignored).
        never: bool (H, W), the pixels to fill.
        network_steps: Adam steps of each network of :func:`videofill.fill.learned.dip_fill` (0: the network is not
            a candidate; nor is it on a plate smaller than :func:`videofill.fill.learned.smallest_side`).
        patch: patch side (px); seed: seeds the random search and the network.
        min_radius: thinner parts are not given to patches or exemplar copies.
        device: where the network trains.
        fillers: names from :data:`FILLERS` that may compete (as above), or the one forced (ValueError for another
            name).
        progress: show the network's training as a progress bar.
        frames: uint8 (T, H, W, 3), the video whose plate this is (None: the copies are judged on the plate).
        holes: bool (T, H, W), its holes (None with ``frames``: no holes).
        network_runs: networks of successive seeds whose fills are averaged (``runs`` of
            :func:`videofill.fill.learned.dip_fill`).
        smooths: names from :data:`SMOOTHS` diffusion may be (the first when there are no copies; for comparisons).

    Returns:
        :class:`PlateFill`.
    """
    unknown = sorted(set(fillers) - set(FILLERS))
    if unknown:
        raise ValueError(f"fill_plate: unknown filler(s) {', '.join(unknown)}; choose from {', '.join(FILLERS)}")
    check_smooths(smooths, "fill_plate")  # here too: a plate with nothing to fill never reaches smooth_fills
    if frames is not None and holes is None:
        holes = np.zeros(frames.shape[:3], bool)
    use_network = (network_steps > 0 and any(name in fillers for name in _NETWORK_FILLERS)
                   and min(plate.shape[:2]) >= smallest_side())
    forced = "diffusion" not in fillers
    if forced:  # no comparison: the first filler asked for that can run (the network's only when it is that one)
        forced_winner = next((name for name in fillers if name not in _NETWORK_FILLERS or use_network), "diffusion")
        use_network = forced_winner in _NETWORK_FILLERS
    parts, copies = part_copies(never, patch)
    if not parts:
        return PlateFill(plate.copy(), smooth=smooths[0])
    thick = thick_parts(never, min_radius)
    tested = np.zeros_like(never)
    for found in copies:
        for copy in found:
            tested |= copy
    hidden = never | tested
    smooth_trials = smooth_fills(plate, hidden, smooths)  # diffusion: the smooth fill that measures best
    smooth = smooths[0]
    if tested.any() and len(smooths) > 1:
        smooth_errors = _copy_errors(smooth_trials, plate, tested, frames, holes)
        smooth = min(smooths, key=smooth_errors.get)
    context = smooth_fills(plate, never, (smooth,))[smooth]
    trials = {"diffusion": smooth_trials[smooth]}
    patch_tested = np.zeros_like(never)
    for part, found in zip(parts, copies):
        if (part & thick).any():
            for copy in found:
                patch_tested |= copy
    compete = not forced and patch_tested.any()  # the copying fillers: only on the copies of thick parts
    wide = compete and thick_parts(never, EXEMPLAR_MIN_RADIUS_PX).any()  # exemplar copies: see the constant
    if compete and "patches" in fillers and not use_network:  # see the choice below
        trials["patches"] = patch_synthesis(trials["diffusion"], patch_tested, source=~hidden, patch=patch, seed=seed)
    copied = {}  # the exemplar candidates' copies, softened below (on the coarse network's part, when there is one)
    if wide and "exemplar" in fillers:
        copied["exemplar"] = exemplar_fill(trials["diffusion"], patch_tested, source=~hidden, guide=trials["diffusion"])
        trials["exemplar"] = copied["exemplar"]  # its place among the candidates; softened below
    network = coarse = coarse_part = None
    if use_network and (tested.any() or forced):  # trained with the copies hidden, as the comparison judges it
        network = dip_fill(trials["diffusion"], hidden, network_steps, seed=seed, device=device, progress=progress,
                           runs=network_runs)
        coarse_users = (NETWORK_AND_DIFFUSION, "exemplar", EXEMPLAR_AND_NETWORK)  # a forced one fills as it competes
        if any(name in fillers for name in coarse_users) and thick_parts(never, EXEMPLAR_MIN_RADIUS_PX).any():
            coarse = coarse_dip_fill(trials["diffusion"], hidden, COARSE_SCALE * network_steps, factor=COARSE_SCALE,
                                     seed=seed, device=device, progress=progress, runs=network_runs)
            coarse_part = _coarse_guess(trials["diffusion"], coarse)
        guide = _hedge(network, trials["diffusion"])  # exemplar+network's guide: the hedge on diffusion alone
        if "network" in fillers:
            trials["network"] = network
        if NETWORK_AND_DIFFUSION in fillers:
            trials[NETWORK_AND_DIFFUSION] = _hedge(network, trials["diffusion"] if coarse is None else coarse_part)
        if wide and EXEMPLAR_AND_NETWORK in fillers:
            copied[EXEMPLAR_AND_NETWORK] = exemplar_fill(guide, patch_tested, source=~hidden, guide=guide)
    for name, image in copied.items():
        trials[name] = _soften(image, patch_tested, coarse_part)
    errors, textures = {}, {}
    winner = "diffusion"  # one choice for the clip, on the squared error pooled over every part's copies
    if forced:
        winner = forced_winner
    elif tested.any():
        errors = _copy_errors(trials, plate, tested, frames, holes)
        textures = {name: texture_ratio(trial, plate, tested) for name, trial in trials.items()}
        if network is not None:  # the lowest error among the textured candidates (see the docstring)
            candidates = [name for name in errors if name in _NETWORK_CHOICE]
            textured = [name for name in candidates if textures[name] >= TEXTURE_FLOOR]
            winner = min(textured or candidates or ["diffusion"], key=errors.get)
        else:
            rival = min((name for name in errors if name != "diffusion"), key=errors.get, default=None)
            if rival is not None and errors[rival] < VALIDATION_MARGIN * errors["diffusion"]:
                winner = rival
    choices = [(part, winner if (part & thick).any() else _THIN_PARTS.get(winner, winner)) for part in parts]
    filled = context.copy()
    if network is not None:  # the networks' guesses on the copies must not reach the final fill through the blur
        network = np.where(never[..., None], network, context)
    if coarse is not None:
        coarse = np.where(never[..., None], coarse, context)
    guide = _hedge(network, context) if network is not None else None
    # the hedge; the thin parts of exemplar+network take its guide, on which its copies were judged
    coarse_part = None if coarse is None else _coarse_guess(context, coarse)
    use_coarse = coarse is not None and winner != EXEMPLAR_AND_NETWORK
    hedge = _hedge(network, coarse_part) if use_coarse else guide
    chosen_fill = {"network": network, NETWORK_AND_DIFFUSION: hedge}
    for name, base in (("patches", None), ("exemplar", context), (EXEMPLAR_AND_NETWORK, guide)):
        chosen = [part for part, choice in choices if choice == name]
        if not chosen:
            continue
        chosen = np.any(chosen, axis=0)
        if name == "patches":
            chosen_fill[name] = patch_synthesis(context, chosen, source=~never, patch=patch, seed=seed)
        else:
            chosen_fill[name] = _soften(exemplar_fill(base, chosen, source=~never, guide=base), chosen, coarse_part)
    for part, name in choices:
        if name in chosen_fill:
            filled[part] = chosen_fill[name][part]
    return PlateFill(filled, choices, errors, textures, smooth)


def texture_ratio(image: np.ndarray, reference: np.ndarray, region: np.ndarray) -> float:
    """The mean Sobel gradient magnitude of ``image`` over ``region`` divided by that of ``reference``: the hole
    sharpness ratio of :func:`videofill.eval.metrics.hole_sharpness_ratio` on one image (the evaluation sits below
    the fill methods in the layout, so it is not imported; the tests check that the two agree).

    Args:
        image, reference: uint8 (H, W, 3); the gradient is taken on the mean of the channels, float [0, 255], with
            OpenCV's 3x3 Sobel kernels (border reflected, 101).
        region: bool (H, W).

    Returns:
        The ratio; ``nan`` when ``region`` is empty or ``reference`` has no gradient there.
    """
    sums = []
    for picture in (image, reference):
        grey = picture.astype(np.float32).mean(axis=2)
        gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3).astype(np.float64)
        gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3).astype(np.float64)
        sums.append(float(np.sqrt(gx**2 + gy**2)[region].sum()))
    return sums[0] / sums[1] if sums[1] > 0 else float("nan")


def _hedge(texture: np.ndarray, smooth: np.ndarray, contrast: float = 1.0) -> np.ndarray:
    """``texture``'s detail (itself minus its Gaussian blur of :data:`HEDGE_SIGMA_PX`) times ``contrast`` on the same
    blur of ``smooth`` ((H, W, 3) each, 0-255: uint8, or float for ``smooth``), rounded: uint8 (H, W, 3)."""
    texture, smooth = texture.astype(np.float32), smooth.astype(np.float32)
    coarse = cv2.GaussianBlur(smooth, (0, 0), HEDGE_SIGMA_PX)
    hedge = coarse + contrast * (texture - cv2.GaussianBlur(texture, (0, 0), HEDGE_SIGMA_PX))
    return np.clip(np.rint(hedge), 0, 255).astype(np.uint8)


def _soften(copied: np.ndarray, region: np.ndarray, coarse: np.ndarray | None = None) -> np.ndarray:
    """An exemplar fill (uint8 (H, W, 3)) with its detail at :data:`EXEMPLAR_CONTRAST` of its contrast over ``region``
    (bool (H, W), the pixels it copied; the others, thin parts left to what the copies were laid on and known pixels,
    unchanged), on its own coarser part or on that of ``coarse`` ((H, W, 3), 0-255, e.g. the hedge's coarse guess):
    uint8 (H, W, 3)."""
    softened = _hedge(copied, copied if coarse is None else coarse, EXEMPLAR_CONTRAST)
    return np.where(region[..., None], softened, copied)


def _coarse_guess(smooth: np.ndarray, coarse: np.ndarray | None) -> np.ndarray:
    """What the hedge takes its coarse part from: ``smooth`` (diffusion), or its mean with the coarse network's fill
    (:data:`COARSE_SCALE`) when there is one (uint8 (H, W, 3) each): float32 (H, W, 3)."""
    smooth = smooth.astype(np.float32)
    return smooth if coarse is None else (smooth + coarse.astype(np.float32)) / 2


def _copy_errors(trials: dict, plate: np.ndarray, tested: np.ndarray, frames=None, holes=None) -> dict:
    """Per filler, the mean squared error (0-255 scale) of its trial over the ``tested`` copies.

    Args:
        trials: filler name -> uint8 (H, W, 3), the plate with the copies (and the never-shown region) filled.
        plate: uint8 (H, W, 3); tested: bool (H, W), the copies' pixels.
        frames: uint8 (T, H, W, 3) or None; holes: bool (T, H, W). With frames, each trial is carried into every frame
            as :func:`blend_plate` does and compared with the frame's own pixels under the copies where it shows them
            (the frame's difference from the plate, diffused into the copies, is taken from the plate itself, so it
            is the same for every trial); without, or when no frame shows a copy pixel, with the plate.

    Returns:
        dict filler name -> float.
    """
    plate_values = plate[tested].astype(np.float64)
    on_plate = {name: float(np.square(trial[tested] - plate_values).mean()) for name, trial in trials.items()}
    if frames is None:
        return on_plate
    totals, number = dict.fromkeys(trials, 0.0), 0
    for frame, hole in zip(frames, holes):
        shown = tested & ~hole
        if not shown.any():
            continue
        rows, cols, _, spread = _spread_difference(frame, plate, tested)
        shown = shown[rows, cols]
        truth = frame[rows, cols][shown].astype(np.float64)
        for name, trial in trials.items():
            value = np.clip(np.rint(trial[rows, cols].astype(np.float32) + spread), 0, 255)
            totals[name] += float(np.square(value[shown] - truth).sum())
        number += int(shown.sum()) * 3
    return {name: total / number for name, total in totals.items()} if number else on_plate


def synthesis_wins(image: np.ndarray, hole: np.ndarray, known: np.ndarray, patch: int = PATCH, seed: int = 0) -> bool:
    """Whether patches fill ``hole`` (bool (H, W)) of ``image`` (uint8 (H, W, 3)) better than Telea's fast marching
    (propagation's spatial fill when :data:`MOVING_MARGIN` was measured), measured on copies of it moved onto
    ``known`` pixels (bool (H, W)) as in :func:`fill_plate`."""
    found = trial_copies(hole, known, patch)
    if not found:
        return False
    test = np.any(found, axis=0)
    diffused = _telea(image, test)
    patched = patch_synthesis(diffused, test, source=known & ~test, patch=patch, seed=seed)
    errors = [np.square(fill[test].astype(np.float64) - image[test]).mean() for fill in (diffused, patched)]
    return errors[1] < MOVING_MARGIN * errors[0]


def align_to_middle(homographies: np.ndarray) -> np.ndarray:
    """The homographies that take each frame onto the middle one, chained from frame-to-frame ones.

    Args:
        homographies: float (T - 1, 3, 3), matrix t maps pixel (x, y, 1) of frame t to frame t + 1.

    Returns:
        float64 (T, 3, 3): matrix t maps pixel (x, y, 1) of frame t to frame T // 2 (identity for that frame).
    """
    count = len(homographies) + 1
    middle = count // 2
    out = np.repeat(np.eye(3)[None], count, axis=0)
    for t in range(middle - 1, -1, -1):  # t -> t + 1 -> ... -> middle
        out[t] = out[t + 1] @ homographies[t]
    for t in range(middle + 1, count):  # t -> t - 1 -> ... -> middle
        out[t] = out[t - 1] @ np.linalg.inv(homographies[t - 1])
    return out / out[:, 2:3, 2:3]


def largest_corner_move(alignments: np.ndarray, height: int, width: int) -> float:
    """The largest distance (px) that any of ``alignments`` (float (T, 3, 3)) moves a corner of the frame."""
    return float(corner_moves(alignments, height, width).max())


def background_plate(frames: np.ndarray, holes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The static camera's background: per pixel, the median of the frames where it is known.

    Args:
        frames: uint8 (T, H, W, 3); holes: bool (T, H, W).

    Returns:
        uint8 (H, W, 3) plate (0 where no frame shows the pixel) and bool (H, W): pixels no frame shows.
    """
    stack = frames.astype(np.float32)
    stack[holes] = np.nan
    never = holes.all(axis=0)
    with warnings.catch_warnings():  # all-NaN columns (never shown) are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        plate = np.nanmedian(stack, axis=0)
    plate[never] = 0
    return np.clip(np.rint(plate), 0, 255).astype(np.uint8), never


def _spread_difference(frame, plate, region, margin=BLEND_MARGIN):
    """frame - plate diffused into ``region`` from its edge (the membrane, float32), on the crop of ``region``'s
    bounding box grown by ``margin`` px: (rows, cols, inside, spread float32 (h, w, 3)); ``spread`` is 0 when the crop
    has no known pixel (a frame that is all region), so the plate is taken as it is."""
    ys, xs = np.nonzero(region)
    rows = slice(max(0, ys.min() - margin), ys.max() + margin + 1)
    cols = slice(max(0, xs.min() - margin), xs.max() + margin + 1)
    inside = region[rows, cols]
    if inside.all():
        return rows, cols, inside, np.zeros((*inside.shape, 3), np.float32)
    difference = frame[rows, cols].astype(np.float32) - plate[rows, cols].astype(np.float32)
    spread = membrane_solve(difference, inside).astype(np.float32)
    return rows, cols, inside, spread


def blend_plate(frame: np.ndarray, plate: np.ndarray, region: np.ndarray, margin: int = BLEND_MARGIN) -> np.ndarray:
    """The plate's pixels in ``region``, shifted by the frame's own difference from the plate, diffused in from the
    region's edge (:func:`videofill.fill.membrane.membrane_solve` of frame - plate): where the frame around the
    region matches the plate the plate's pixels are kept; a light change or something moving at the edge reaches in
    smoothly, as a frame's own spatial fill would carry it. A frame that is all ``region`` takes the plate as it is.

    Args:
        frame: uint8 (H, W, 3), a frame (its pixels in ``region`` are not used, unless it is all region).
        plate: uint8 (H, W, 3), the background with ``region`` filled.
        region: bool (H, W), the pixels to take from the plate.
        margin: known px kept around the region's bounding box (1 or more).

    Returns:
        uint8 (H, W, 3): ``frame`` with the ``region`` pixels replaced.
    """
    out = frame.copy()
    if not region.any():
        return out
    rows, cols, inside, spread = _spread_difference(frame, plate, region, margin)
    value = np.clip(np.rint(plate[rows, cols].astype(np.float32) + spread), 0, 255).astype(np.uint8)
    out[rows, cols][inside] = value[inside]
    return out


def _fill_from_plate(frames, holes, unseen, thick, alignments, network_steps, patch, seed, min_radius, device,
                     fillers, progress, network_runs, smooths) -> np.ndarray:
    """:func:`synthesize_video` on one background plate: of the frames as they are (``alignments`` None: a static
    camera), or of the frames warped onto the middle one by ``alignments`` (float (T, 3, 3), :func:`align_to_middle`),
    the plate's fill then warped back into each frame (bicubic) for the pixels no frame shows. Pixels a warp brings
    from outside a frame count as holes, and each warped hole grows by 1 px (the bilinear warp mixes its edge with
    the fill)."""
    out = frames.copy()
    count, height, width = holes.shape
    size = (width, height)
    if alignments is None:
        aligned, aligned_holes = frames, holes
    else:
        ones = np.ones((height, width), np.uint8)
        aligned = np.stack([cv2.warpPerspective(f, a, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                            for f, a in zip(frames, alignments)])
        outside = np.stack([cv2.warpPerspective(ones, a, size, flags=cv2.INTER_NEAREST) == 0 for a in alignments])
        grown = np.stack([cv2.dilate(cv2.warpPerspective(h.astype(np.uint8), a, size, flags=cv2.INTER_NEAREST),
                                     np.ones((3, 3), np.uint8)) for h, a in zip(holes, alignments)])
        aligned_holes = (grown > 0) | outside
    plate, never = background_plate(aligned, aligned_holes)
    if never.all():  # no frame shows any pixel: nothing to synthesise from, the frames keep their own fill
        return out
    plate_fill = fill_plate(plate, never, network_steps, patch, seed, min_radius, device, fillers, progress,
                            frames=aligned, holes=aligned_holes, network_runs=network_runs, smooths=smooths)
    for t in range(count):
        if alignments is None:  # shown by a frame too far away or too unsure for propagation, and what none shows
            filled, take = plate_fill.filled, (thick[t] & ~never) | (never & unseen[t])
        else:  # what no frame shows only (the median of warped frames blurs what moves: a pouring kettle); the plate
            # covers the middle frame only, so a pixel of frame t outside it (border 0: not never) keeps its fill
            back = np.linalg.inv(alignments[t])
            filled = cv2.warpPerspective(plate_fill.filled, back, size, flags=cv2.INTER_CUBIC,
                                         borderMode=cv2.BORDER_REPLICATE)
            take = (cv2.warpPerspective(never.astype(np.uint8), back, size, flags=cv2.INTER_NEAREST) > 0) & unseen[t]
        out[t] = blend_plate(frames[t], filled, take)
    return out


def synthesize_video(
    frames: np.ndarray,
    holes: np.ndarray,
    unseen: np.ndarray,
    homographies: np.ndarray | None = None,
    patch: int = PATCH,
    seed: int = 0,
    min_radius: float = MIN_RADIUS_PX,
    network_steps: int = 0,
    device: str = "cpu",
    fillers: tuple[str, ...] = FILLERS,
    progress: bool = False,
    network_runs: int = 1,
    smooths: tuple[str, ...] = SMOOTHS,
) -> np.ndarray:
    """Fill the ``unseen`` pixels of a video with texture from its known pixels.

    Args:
        frames: uint8 (T, H, W, 3): the video with its holes filled (e.g. propagated); pixels outside ``unseen`` are
            kept and serve as context, pixels outside ``holes`` as the exemplar.
        holes: bool (T, H, W), True = hole (never used as an exemplar).
        unseen: bool (T, H, W), the hole pixels to replace (a subset of ``holes``).
        homographies: float (T - 1, 3, 3) frame t -> t + 1 (:class:`videofill.fill.propagate.Propagation`); the
            camera is taken to be static when they move the corners by less than
            :data:`videofill.fill.motion.STATIC_CAMERA_PX` (None: static), and to move a little when, chained, they
            move no corner further than :data:`ALIGNED_PLATE_SHARE` of the diagonal from the middle frame (the plate is built on the aligned
            frames).
        patch: patch side in pixels.
        seed: seeds the random search and the network.
        min_radius: only parts of ``unseen`` this thick take patches or exemplar copies (:func:`thick_parts`); any part
            may take the network's fill.
        network_steps: Adam steps of each network trained on the plate (0: not a candidate).
        device: where that network trains.
        fillers: the plate's candidate fillers (:func:`fill_plate`; ValueError for an unknown name). Under a camera
            that moves more only patches synthesise: with "patches" or "exemplar" among them, when they beat Telea
            on the first frame's copies (:func:`synthesis_wins`), or always when "diffusion" is not among them
            (exemplar forced gives patches there: copies made one frame at a time would flicker).
        progress: show the network's training as a progress bar.
        network_runs: networks whose fills are averaged (:func:`fill_plate`).
        smooths: what diffusion may be on the static plate (:func:`fill_plate`; for comparisons).

    Returns:
        uint8 (T, H, W, 3): ``frames`` with the ``unseen`` pixels replaced: under a static camera, or one that
        moves a little, by the plate's fill (whichever filler won, diffusion included); under a camera that moves
        more where patches measured better than Telea or were forced.
    """
    unknown = sorted(set(fillers) - set(FILLERS))
    if unknown:
        raise ValueError(f"synthesize_video: unknown filler(s) {', '.join(unknown)}; choose from {', '.join(FILLERS)}")
    out = frames.copy()
    unseen = unseen & holes
    count, height, width = holes.shape
    if not unseen.any():
        return out
    thick = np.stack([thick_parts(u, min_radius) for u in unseen])
    static = homographies is None or camera_is_static(homographies, height, width)
    alignments = None
    if not static:
        alignments = align_to_middle(homographies)
        if not largest_corner_move(alignments, height, width) <= ALIGNED_PLATE_SHARE * np.hypot(height, width):
            alignments = None  # too wide a move for one plate: patches frame by frame below
    if static or alignments is not None:
        return _fill_from_plate(frames, holes, unseen, thick, alignments, network_steps, patch, seed, min_radius,
                                device, fillers, progress, network_runs, smooths)
    # under a moving camera patches are the only synthesis (exemplar copies, one frame at a time, would flicker)
    if not thick.any() or not any(name in fillers for name in _THICK_FILLERS):
        return out
    first = next(t for t in range(count) if thick[t].any())
    if "diffusion" in fillers and not synthesis_wins(frames[first], thick[first], ~holes[first], patch, seed):
        return out  # without diffusion among the fillers, patches are forced
    start = None
    for t in range(count):
        if not thick[t].any():
            continue
        out[t], start = patch_synthesis(frames[t], thick[t], source=~holes[t], patch=patch, seed=seed + t,
                                        start=start, return_matches=True)
    return out


def fill_unseen(propagation, holes: np.ndarray, size: tuple[int, int] | None, seed: int, network_steps: int,
                device: str = "cpu", progress: bool = False, network_runs: int = 1, filler: str = "auto"):
    """Propagation's result with the pixels that no frame shows synthesised (:func:`synthesize_video`).

    Args:
        propagation: a :class:`videofill.fill.propagate.Propagation` of the video.
        holes: bool (T, H, W), the holes it filled.
        size: (W, h) of the real frames inside padded ones (the padding, at the right and bottom, is left alone);
            None: the whole frames.
        seed: seeds the random search and the network.
        network_steps, device, network_runs: the networks on the plate (:func:`fill_plate`); the pipeline
            passes ``InpaintConfig.unseen_steps`` and ``unseen_runs``.
        progress: show the network's training as a progress bar.
        filler: "auto" (the choice of :func:`fill_plate` among :data:`FILLERS`) or one of them, forced
            (``InpaintConfig.unseen_filler``); the network's act on the plate of a static or hand-held camera only.

    Returns:
        A new :class:`~videofill.fill.propagate.Propagation` whose ``frames`` have the unseen pixels synthesised: those
        not ``seen``, among them what :func:`videofill.fill.propagate.drop_still_hole_copies` ``replaced`` (``seen``,
        ``trusted``, ``replaced`` and ``homographies`` unchanged).
    """
    import dataclasses

    width, height = size if size is not None else (holes.shape[2], holes.shape[1])
    frames = propagation.frames[:, :height, :width]
    real = holes[:, :height, :width]
    unseen = real & ~propagation.seen[:, :height, :width]
    out = propagation.frames.copy()
    out[:, :height, :width] = synthesize_video(frames, real, unseen, propagation.homographies, seed=seed,
                                               network_steps=network_steps, device=device, progress=progress,
                                               network_runs=network_runs,
                                               fillers=FILLERS if filler == "auto" else (filler,))
    return dataclasses.replace(propagation, frames=out)


__all__ = [
    "ALIGNED_PLATE_SHARE",
    "COARSE_SCALE",
    "EXEMPLAR_AND_NETWORK",
    "EXEMPLAR_MIN_RADIUS_PX",
    "FILLERS",
    "HEDGE_SIGMA_PX",
    "NETWORK_AND_DIFFUSION",
    "TEXTURE_FLOOR",
    "PlateFill",
    "align_to_middle",
    "background_plate",
    "blend_plate",
    "fill_plate",
    "fill_unseen",
    "largest_corner_move",
    "synthesis_wins",
    "synthesize_video",
    "texture_ratio",
    "thick_parts",
]
