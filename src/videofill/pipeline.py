"""``inpaint``: the whole method on arrays, read -> prepare -> flow -> propagate -> train -> generate -> composite
(propagation's copies at the input's resolution: :mod:`videofill.fill.fullres`).

This module wires the others together and holds no arithmetic of its own beyond resizing and padding to the working
resolution. Files (video, masks, output) are the command line's business (``videofill.cli``).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from videofill.config import InpaintConfig, get_preset
from videofill.errors import VideofillError
from videofill.fill.checkpoint import Checkpointer
from videofill.fill.flow import DISFlow, FlowEstimator, VideoFlows, compute_video_flows
from videofill.fill.fullres import fill_full_resolution
from videofill.fill.inference import composite, resize_frames, to_uint8
from videofill.fill.methods import (
    make_noise,
    perceptual_loss_for,
    train_dip,
    train_video,
)
from videofill.fill.prepare import PreparedVideo, crop_video, hole_region, prepare
from videofill.fill.train import FitResult, VideoTensors

#: A note says the masks may be inverted when more than this share of all the clip's pixels is hole (objects rarely
#: cover half a video; an inverted mask, object black on white, covers most of it).
MOSTLY_HOLE = 0.5


def resolve_device(name: str) -> torch.device:
    """'auto' -> CUDA when present, else CPU; 'cuda' without a GPU is a VideofillError."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise VideofillError("--device cuda was asked for but no CUDA device is available; use --device cpu or auto")
    if name not in ("cpu",) and not name.startswith("cuda"):
        raise VideofillError(f"unknown device {name!r}; choose auto, cpu or cuda")
    return torch.device(name)



def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX): without it bf16 autocast is emulated and
    measured 5-7x slower than float32 (README, "Reproducing the paper"). True when torch cannot tell."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (AttributeError, RuntimeError):
        return True


def effective_bf16(config: InpaintConfig, device: torch.device) -> bool:
    """Whether a run of ``config`` on ``device`` uses bf16 autocast: as asked, except on a CPU without native
    bfloat16 (:func:`cpu_has_bf16`), where float32 is faster."""
    return config.bf16 and (device.type != "cpu" or cpu_has_bf16())


def check_inputs(frames: np.ndarray, holes: np.ndarray) -> None:
    """Shapes and dtypes of the API's inputs, as one-line VideofillErrors."""
    for name, value in (("frames", frames), ("masks", holes)):
        if not isinstance(value, np.ndarray):
            raise VideofillError(f"{name} must be a numpy array, got {type(value).__name__} (use np.asarray / np.stack)")
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise VideofillError(f"frames must be uint8 (T, H, W, 3), got {frames.dtype} {frames.shape}")
    if holes.ndim != 3 or holes.dtype != np.bool_:
        raise VideofillError(f"masks must be bool (T, H, W), got {holes.dtype} {holes.shape}")
    if len(holes) != len(frames):
        raise VideofillError(f"{len(holes)} masks but {len(frames)} frames")
    if holes.shape[1:] != frames.shape[1:3]:
        raise VideofillError(f"masks are {holes.shape[2]}x{holes.shape[1]} but frames are {frames.shape[2]}x{frames.shape[1]}")
    if len(frames) == 0:
        raise VideofillError("the video has no frames")



@dataclass
class InpaintResult:
    """``inpaint_video``'s answer: the frames, and what happened on the way."""

    frames: np.ndarray  # uint8 (T, H, W, 3), the input with its holes filled
    generated: np.ndarray | None = None  # uint8 (T, h, w, 3): the fill at the working size, before resizing and compositing
    fit: FitResult | None = None  # loss history, divergence events, steps and seconds of training
    notes: list[str] = field(default_factory=list)  # what the user should know (perceptual term off, empty masks...)
    spatial_fill: str | None = None  # propagation's spatial fill, "auto" resolved (None: no propagation ran)



def _video_flows(prepared, config, estimator, checkpointer, resume) -> VideoFlows:
    """The input flows: loaded from the run folder when resuming, else estimated (and saved there)."""
    saved = checkpointer.load_flows() if (checkpointer is not None and resume) else None
    if saved is not None:
        return VideoFlows(**saved)
    flows = compute_video_flows(prepared.frames, prepared.holes, estimator=estimator or DISFlow(config.flow_preset))
    if checkpointer is not None:
        checkpointer.save_flows(dict(flows=flows.flows, valid=flows.valid, reliable=flows.reliable, scale=flows.scale))
    return flows



def _propagation(prepared: PreparedVideo, config: InpaintConfig, flows: VideoFlows | None, estimator, progress: bool):
    """Flow-guided propagation at the working resolution (default preset; not in the paper)."""
    from videofill.fill.flow import FLOW_OFFSETS
    from videofill.fill.propagate import propagate_video

    first = None
    if flows is not None and FLOW_OFFSETS[:2] == (1, -1):  # the network's input flows hold the neighbours' flows
        forward = flows.flows[:-1, 0].permute(0, 2, 3, 1).numpy()  # F_{t->t+1} on frame t, (T-1, H, W, 2)
        backward = flows.flows[1:, 1].permute(0, 2, 3, 1).numpy()  # F_{t+1->t} on frame t+1
        first = (forward, backward)
    estimator = estimator or DISFlow(config.flow_preset)
    return propagate_video(
        prepared.frames, prepared.holes, estimator, config.propagation_passes, config.guide_distance, first, progress,
        combine=config.copy_combine, spatial=config.spatial_fill, hold_still_holes=config.hold_still_holes,
        size=prepared.size,
    )



def inpaint_video(
    frames: np.ndarray,
    holes: np.ndarray,
    config: InpaintConfig | None = None,
    *,
    progress: bool = False,
    flow_estimator: FlowEstimator | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    on_step: Callable[[int, torch.nn.Module, VideoTensors], None] | None = None,
) -> InpaintResult:
    """Fill the holes of a video with the configured internal-learning method.

    Args:
        frames: uint8 (T, H, W, 3) RGB input frames.
        holes: bool (T, H, W), True = hole (the region to fill).
        config: an :class:`InpaintConfig`; the ``default`` preset when None.
        progress: show a progress bar.
        flow_estimator: how to estimate the input flows (OpenCV DIS when None); any
            :class:`~videofill.fill.flow.FlowEstimator`, e.g. a learned one whose weights you have.
        run_dir: folder for checkpoints (network, optimiser, schedule position, flows); None: no checkpoints.
        resume: continue from the checkpoint in ``run_dir`` (the result equals that of an uninterrupted run).
        on_step: called as ``on_step(step, model, video)`` after each training step of DIP-Vid, DIP-Vid-3DCN and
            DIP-Vid-Flow (not DIP, which trains one network per frame), e.g. a :class:`videofill.fill.progress.ProgressSaver`.
            With it, training uses whole frames even when ``config.crop_margin`` is set, so the snapshots are whole.

    Returns:
        :class:`InpaintResult`; ``result.frames`` equals ``frames`` outside the holes, bit for bit.

    Raises:
        VideofillError: for inputs of the wrong shape or type, a video shorter than a batch, an unavailable device.
    """
    config = config or get_preset("default")
    check_inputs(frames, holes)
    device = resolve_device(config.device)
    notes: list[str] = []
    if config.dilation(frames.shape[2], frames.shape[1]):
        from videofill.io.masks import dilate_holes

        holes = dilate_holes(holes, config.dilation(frames.shape[2], frames.shape[1]))
    if not holes.any():
        notes.append("the masks are empty: nothing to fill, the input is copied through")
        return InpaintResult(frames.copy(), notes=notes)
    if holes.mean() > MOSTLY_HOLE:  # the same words in every window, so that a long clip says it once
        notes.append(f"the masks cover more than {MOSTLY_HOLE:.0%} of the frames (non-zero = hole): if the object is "
                     "black in them, invert them")
    full_holes = np.flatnonzero(holes.reshape(len(holes), -1).all(axis=1))
    if len(full_holes):
        notes.append(f"frame(s) {', '.join(map(str, full_holes[:10]))} are all hole: filled from other frames only (the clip's mean colour where none shows a pixel)")
    if config.method != "dip" and config.max_steps != 0:
        from videofill.fill.schedule import check_length

        check_length(len(frames), config.batch_frames)
    if config.max_steps != 0 and config.bf16 != effective_bf16(config, device):
        config = config.replace(bf16=False)
        notes.append("this CPU has no native bfloat16 (AVX-512 BF16 or AMX): the network trains in float32, faster here")
    prepared = prepare(frames, holes, config)
    height, width = prepared.holes.shape[1:]
    video = VideoTensors(
        frames=torch.from_numpy(prepared.frames).permute(0, 3, 1, 2).float() / 255.0,
        holes=torch.from_numpy(prepared.holes)[:, None],
        noise=make_noise(len(frames), height, width, config),
    )
    checkpointer = (Checkpointer(run_dir, config.result_settings(), config.checkpoint_seconds, same=config.same_result,
                                 hint=config.resume_hint)
                    if run_dir is not None else None)
    learn = config.max_steps != 0  # max_steps 0 (with guide_start): the propagated video is the answer
    if config.method == "dip-vid-flow" and learn:
        video.flows = _video_flows(prepared, config, flow_estimator, checkpointer, resume)
    propagation = None
    if config.propagates:
        propagation = _propagation(prepared, config, video.flows, flow_estimator, progress)
        if config.quality == "best":  # what no frame shows: texture from the video instead of the spatial smear
            from videofill.fill.synthesis import fill_unseen

            real_w, real_h = prepared.size
            shown = not (prepared.holes & ~propagation.seen)[:, :real_h, :real_w].any()
            before = propagation.frames
            propagation = fill_unseen(
                propagation, prepared.holes, prepared.size, config.seed, config.unseen_steps, device, progress,
                network_runs=config.unseen_runs, filler=config.unseen_filler,
            )
            replaced = propagation.replaced
            if (replaced is None or not replaced.any()) and np.array_equal(propagation.frames, before):
                why = ("another frame shows every hole pixel" if shown else "what no frame shows lies under a camera "
                       "that moves too much for one background plate, and patches did not measure better there")
                same = ("best differs from fast here only in combining the copies with agree"
                        if config.combine == "auto" else "the result is fast's")
                notes.append(f"quality best: {why}, so nothing was synthesised ({same})")
        video.guide = torch.from_numpy(propagation.frames).permute(0, 3, 1, 2).float() / 255.0
        weight = np.where(propagation.trusted, 1.0, np.where(prepared.holes, config.guide_untrusted, 0.0))
        video.guide_trusted = torch.from_numpy(weight.astype(np.float32))[:, None]
        if config.guide_start:
            video.base = video.guide
    region = None
    if learn and config.crop_margin is not None and on_step is None:  # progress snapshots show whole frames
        region = hole_region(prepared, config.depth, config.crop_margin)
    perceptual = perceptual_loss_for(config, device, notes) if learn else None
    train = train_dip if config.method == "dip" else functools.partial(train_video, on_step=on_step)
    if learn:  # on the crop around the holes when there is one; flows and propagation saw whole frames
        trained_on = crop_video(video, region) if region is not None else video
        generated, fit_result = train(trained_on, config, device, perceptual, progress, checkpointer, resume)
    else:
        generated, fit_result = video.base, FitResult()
    fill = to_uint8(generated)
    if region is not None:  # back into the whole (padded) working frames; every hole lies inside the crop
        x0, y0, x1, y1 = region
        canvas = prepared.frames.copy()
        canvas[:, y0:y1, x0:x1] = fill
        fill = canvas
    if propagation is not None and config.guide_output:
        fill = np.where(propagation.trusted[..., None], propagation.frames, fill)
    generated_u8 = fill[:, : prepared.size[1], : prepared.size[0]]  # crop the padding
    full_size = (frames.shape[2], frames.shape[1])
    if propagation is not None and (not learn or config.guide_output) and prepared.size != full_size:
        # propagation's copies again at the input's resolution; only what no frame shows (or, after training, what
        # is not confirmed) is the working-size fill upscaled
        out = fill_full_resolution(
            frames, holes, propagation, prepared.holes, prepared.size, generated_u8,
            max_distance=config.guide_distance, feather=config.feather, trusted_only=learn, combine=config.copy_combine,
        ).frames
    else:
        out = composite(frames, holes, resize_frames(generated_u8, full_size), config.feather)
    for event in fit_result.recoveries:
        notes.append(event)
    return InpaintResult(out, generated_u8, fit_result, notes,
                         spatial_fill=None if propagation is None else propagation.spatial_fill)



def inpaint(frames: np.ndarray, holes: np.ndarray, config: InpaintConfig | None = None, **kwargs) -> np.ndarray:
    """Fill the holes of a video: uint8 (T, H, W, 3) frames and bool (T, H, W) holes (True = hole) -> uint8 frames.

    The arrays-in, arrays-out entry point for notebooks and other tools; see :func:`inpaint_video` for the details.
    What the user should know (empty masks, the perceptual loss off) is issued as a UserWarning, each note once.

    Raises:
        VideofillError: inputs that are not such arrays (a Python list, another dtype or shape).
    """
    result = inpaint_video(frames, holes, config, **kwargs)
    for note in result.notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return result.frames

