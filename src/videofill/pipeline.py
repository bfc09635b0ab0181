"""``inpaint``: the whole method on arrays, read -> prepare -> flow -> propagate -> train -> generate -> composite.

This module wires the others together and holds no arithmetic of its own beyond resizing and padding to the working
resolution. Files (video, masks, output) are the command line's business (``videofill.cli``).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import torch

from .config import InpaintConfig, get_preset
from .errors import VideofillError
from .checkpoint import Checkpointer
from .flow import DISFlow, FlowEstimator, VideoFlows, compute_video_flows
from .inference import composite, generate_video, resize_frames, to_uint8
from .losses import LossWeights, PerceptualLoss
from .propagate import telea_fill
from .networks import EncoderDecoder
from .schedule import Batch, consecutive_batches, flow_batches, planned_batches, step_plan, total_steps
from .train import FitResult, FlowObjective, ImageObjective, VideoTensors, fit


def resolve_device(name: str) -> torch.device:
    """'auto' -> CUDA when present, else CPU; 'cuda' without a GPU is a VideofillError."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise VideofillError("--device cuda was asked for but no CUDA device is available; use --device cpu or auto")
    if name not in ("cpu",) and not name.startswith("cuda"):
        raise VideofillError(f"unknown device {name!r}; choose auto, cpu or cuda")
    return torch.device(name)


def working_size(width: int, height: int, config: InpaintConfig) -> tuple[int, int]:
    """(W, H) the network works at: ``config.size``, or the input scaled so its longer side is at most max_side."""
    if config.size is not None:
        return config.size
    scale = min(1.0, config.max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def padded_size(width: int, height: int, depth: int) -> tuple[int, int]:
    """Smallest (W, H) at least the given size that the network accepts: multiples of 2**depth, >= 3 * 2**depth."""
    multiple = 2**depth

    def fit(side: int) -> int:
        return max(math.ceil(side / multiple) * multiple, 3 * multiple)

    return fit(width), fit(height)


@dataclass
class PreparedVideo:
    """The video at the working resolution, padded for the network.

    Attributes:
        frames: uint8 (T, Hp, Wp, 3), padded by reflection at the right and bottom.
        holes: bool (T, Hp, Wp); the padding counts as hole (it is never a training target).
        size: (W, H) working size before padding.
    """

    frames: np.ndarray
    holes: np.ndarray
    size: tuple[int, int]


def prepare(frames: np.ndarray, holes: np.ndarray, config: InpaintConfig) -> PreparedVideo:
    """Resize frames (area) and holes (a working pixel is hole when any input pixel under it is) and pad them.

    The input's hole pixels are never read: they are blanked before resizing, and at the working size every hole
    pixel is filled frame by frame from the known ones (OpenCV Telea), so what comes next (flow estimation above
    all, whose patches straddle the hole's edge) sees known pixels only, as the evaluation protocol requires.
    """
    size = working_size(frames.shape[2], frames.shape[1], config)
    blanked = frames.copy()
    blanked[holes] = 0
    small = resize_frames(blanked, size, cv2.INTER_AREA)
    small_holes = np.stack(
        [cv2.resize(h.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0 for h in holes]
    ) if holes.shape[1:] != (size[1], size[0]) else holes.copy()
    small = telea_fill(small, small_holes)
    pad_w, pad_h = (p - s for p, s in zip(padded_size(*size, config.depth), size))
    if pad_w or pad_h:
        small = np.pad(small, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="reflect" if min(size) > 1 else "edge")
        small_holes = np.pad(small_holes, ((0, 0), (0, pad_h), (0, pad_w)), constant_values=True)
    return PreparedVideo(small, small_holes, size)


def hole_region(prepared: PreparedVideo, depth: int, margin: int) -> tuple[int, int, int, int] | None:
    """The window (x0, y0, x1, y1) of the padded working frames that holds every hole pixel of the video plus
    ``margin`` pixels of context on each side, grown to what the network accepts (sides multiples of 2**depth, at
    least 3 * 2**depth) and shifted inside the frame; None when it would cover 90 % of the frame or more."""
    height, width = prepared.holes.shape[1:]
    real = prepared.holes[:, : prepared.size[1], : prepared.size[0]].any(axis=0)  # the padding is not a hole to fill
    ys, xs = np.nonzero(real)
    if len(xs) == 0:
        return None
    multiple = 2**depth

    def span(low: int, high: int, limit: int) -> tuple[int, int]:
        low, high = max(0, low - margin), min(limit, high + margin)
        length = max(3 * multiple, math.ceil((high - low) / multiple) * multiple)
        if length >= limit:
            return 0, limit
        low = min(low, limit - length)
        return low, low + length

    x0, x1 = span(int(xs.min()), int(xs.max()) + 1, width)
    y0, y1 = span(int(ys.min()), int(ys.max()) + 1, height)
    if (x1 - x0) * (y1 - y0) >= 0.9 * width * height:
        return None
    return x0, y0, x1, y1


def crop_video(video: VideoTensors, region: tuple[int, int, int, int]) -> VideoTensors:
    """``video`` cut to the window (x0, y0, x1, y1) of :func:`hole_region`: frames, holes, noise, flows, guide, base."""
    x0, y0, x1, y1 = region
    cut = (..., slice(y0, y1), slice(x0, x1))

    def part(tensor: torch.Tensor | None) -> torch.Tensor | None:
        return None if tensor is None else tensor[cut].contiguous()

    flows = video.flows
    if flows is not None:
        flows = VideoFlows(part(flows.flows), part(flows.valid), part(flows.reliable), flows.scale)
    return VideoTensors(
        part(video.frames), part(video.holes), part(video.noise), flows, part(video.guide), part(video.guide_trusted), part(video.base)
    )


def check_inputs(frames: np.ndarray, holes: np.ndarray) -> None:
    """Shapes and dtypes of the API's inputs, as one-line VideofillErrors."""
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


def _noise(count: int, height: int, width: int, config: InpaintConfig) -> torch.Tensor:
    generator = torch.Generator().manual_seed(config.seed)
    return torch.rand(count, 1, height, width, generator=generator) * config.noise_max


def _perceptual(config: InpaintConfig, device: torch.device, notes: list[str]) -> PerceptualLoss | None:
    if not config.perceptual or config.weight_perceptual == 0:
        return None
    from .pretrained import load_vgg16  # imported here: only runs that ask for L_p need it

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vgg = load_vgg16(config.vgg_weights, device=device)
    if vgg is None:
        notes.append(
            "perceptual loss off: no VGG16 weights (vgg16-397923af.pth) in the torch hub cache; give --vgg-weights PATH"
        )
        return None
    for warning in caught:
        warnings.warn(warning.message, warning.category, stacklevel=2)
    if config.channels_last:
        vgg = vgg.to(memory_format=torch.channels_last)
    return PerceptualLoss(vgg)


def build_model(config: InpaintConfig, device: torch.device) -> EncoderDecoder:
    """The generator for ``config.method``, seeded by ``config.seed``, on ``device``."""
    torch.manual_seed(config.seed)
    model = EncoderDecoder(
        channels=config.channels,
        skip_channels=config.skip_channels,
        flow_channels=12 if config.method == "dip-vid-flow" else 0,
        conv3d=config.method == "dip-vid-3dcn",
    ).to(device)
    if config.channels_last and not model.conv3d:
        model = model.to(memory_format=torch.channels_last)
    return model


def training_plan(config: InpaintConfig, frame_count: int) -> tuple[list[Batch], list[Batch]]:
    """(every batch of the method, the run's shuffled batch sequence)."""
    if config.method == "dip-vid-flow":
        batches = flow_batches(frame_count, config.batch_frames, config.strides)
    else:
        batches = consecutive_batches(frame_count, config.batch_frames)
    sequence = planned_batches(batches, config.epochs, np.random.default_rng(config.seed))
    return batches, sequence


def _train_video(video, config, device, perceptual, progress, checkpointer=None, resume=False, on_step=None):
    """DIP-Vid, DIP-Vid-3DCN, DIP-Vid-Flow: one network over the whole video. Returns (generated frames, FitResult).

    ``on_step(step, model, video)`` is called after every training step (e.g. :class:`videofill.progress.ProgressSaver`)."""
    model = build_model(config, device)
    state = checkpointer.load() if (checkpointer is not None and resume) else None
    objective_type = FlowObjective if config.method == "dip-vid-flow" else ImageObjective
    objective = objective_type(video, device, _weights(config), perceptual, config.bf16, config.channels_last)
    batches, sequence = training_plan(config, len(video.frames))
    total = total_steps(len(sequence), config.steps_per_batch, config.max_steps)
    result = fit(
        model,
        objective,
        step_plan(sequence, config.steps_per_batch, config.max_steps),
        total,
        config.lr,
        progress=progress,
        description=config.method,
        steps_per_epoch=len(batches) * config.steps_per_batch,
        checkpoint=checkpointer,
        resume_state=state,
        on_step=None if on_step is None else (lambda step, _loss, _optimizer: on_step(step, model, video)),
    )
    generated = generate_video(model, video.noise, config.batch_frames, device, config.bf16, video.base)
    return generated, result


def best_candidate(losses: list[float], candidates: list) -> object:
    """DIP's answer to its instability: of the candidates taken along training, the one with the lowest loss."""
    return candidates[int(np.argmin(losses))]


def _train_dip(video, config, device, perceptual, progress, checkpointer=None, resume=False):
    """DIP (appendix C.1): a fresh network per frame; every ``dip_keep_every`` steps the output is a candidate, and
    the lowest-loss candidate is the frame's result. Checkpoints hold the finished frames and the current one's state."""
    generated = torch.empty_like(video.frames)
    merged = FitResult()
    state = checkpointer.load() if (checkpointer is not None and resume) else None
    first = 0
    if state is not None:
        first = state["frame"]
        generated[:first] = state["done"]
        merged.history = {name: list(values) for name, values in state["merged_history"].items()}
    for i in range(first, len(video.frames)):
        model = build_model(config.replace(seed=config.seed + i), device)
        objective = ImageObjective(video, device, _weights(config), perceptual, config.bf16, config.channels_last)
        single = Batch((i,))
        resume_state = state if (state is not None and i == first) else None
        losses = list(resume_state["candidate_losses"]) if resume_state else []
        candidates = list(resume_state["candidates"]) if resume_state else []

        def keep(step: int, loss: float, _optimizer) -> None:
            if (step + 1) % config.dip_keep_every == 0:
                frames, _ = _generate_eval(model, video.noise[i : i + 1].to(device), config.bf16, _base(video, i, device))
                losses.append(loss)
                candidates.append(frames[0].cpu())

        steps = config.dip_steps if config.max_steps is None else min(config.dip_steps, config.max_steps)
        result = fit(
            model,
            objective,
            ((s, single) for s in range(steps)),
            steps,
            config.lr,
            progress=progress,
            description=f"dip frame {i + 1}/{len(video.frames)}",
            on_step=keep,
            checkpoint=checkpointer,
            resume_state=resume_state,
            checkpoint_extra=lambda: {
                "frame": i,
                "done": generated[:i].clone(),
                "merged_history": merged.history,
                "candidate_losses": losses,
                "candidates": candidates,
            },
        )
        generated[i] = best_candidate(losses, candidates) if candidates else _generate_eval(
            model, video.noise[i : i + 1].to(device), config.bf16, _base(video, i, device)
        )[0][0].cpu()
        for name, values in result.history.items():
            merged.history.setdefault(name, []).extend(values)
        merged.recoveries += result.recoveries
        merged.steps += result.steps
        merged.seconds += result.seconds
    return generated, merged


@torch.no_grad()
def _generate_eval(model, noise, autocast, base=None):
    from .train import _generate

    return _generate(model, noise, autocast, base)


def _base(video: VideoTensors, i: int, device: torch.device) -> torch.Tensor | None:
    return None if video.base is None else video.base[i : i + 1].to(device)


def _video_flows(prepared, config, estimator, checkpointer, resume) -> VideoFlows:
    """The input flows: loaded from the run folder when resuming, else estimated (and saved there)."""
    saved = checkpointer.load_flows() if (checkpointer is not None and resume) else None
    if saved is not None:
        return VideoFlows(**saved)
    flows = compute_video_flows(prepared.frames, prepared.holes, estimator=estimator or DISFlow(config.flow_preset))
    if checkpointer is not None:
        checkpointer.save_flows(dict(flows=flows.flows, valid=flows.valid, reliable=flows.reliable, scale=flows.scale))
    return flows


def _weights(config: InpaintConfig) -> LossWeights:
    return LossWeights(
        config.weight_reconstruction,
        config.weight_flow,
        config.weight_consistency,
        config.weight_perceptual,
        config.weight_guide,
    )


def _propagation(prepared: PreparedVideo, config: InpaintConfig, flows: VideoFlows | None, estimator):
    """Flow-guided propagation at the working resolution (default preset; not in the paper)."""
    from .flow import FLOW_OFFSETS
    from .propagate import propagate_video

    first = None
    if flows is not None and FLOW_OFFSETS[:2] == (1, -1):  # the network's input flows hold the neighbours' flows
        forward = flows.flows[:-1, 0].permute(0, 2, 3, 1).numpy()  # F_{t->t+1} on frame t, (T-1, H, W, 2)
        backward = flows.flows[1:, 1].permute(0, 2, 3, 1).numpy()  # F_{t+1->t} on frame t+1
        first = (forward, backward)
    estimator = estimator or DISFlow(config.flow_preset)
    return propagate_video(
        prepared.frames, prepared.holes, estimator, config.propagation_passes, config.guide_distance, first
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
    checkpoint_seconds: float = 60.0,
    on_step: Callable[[int, torch.nn.Module, VideoTensors], None] | None = None,
) -> InpaintResult:
    """Fill the holes of a video with the configured internal-learning method.

    Args:
        frames: uint8 (T, H, W, 3) RGB input frames.
        holes: bool (T, H, W), True = hole (the region to fill).
        config: an :class:`InpaintConfig`; the ``default`` preset when None.
        progress: show a progress bar.
        flow_estimator: how to estimate the input flows (OpenCV DIS when None); any
            :class:`~videofill.flow.FlowEstimator`, e.g. a learned one whose weights you have.
        run_dir: folder for checkpoints (network, optimiser, schedule position, flows); None: no checkpoints.
        resume: continue from the checkpoint in ``run_dir`` (the result equals that of an uninterrupted run).
        checkpoint_seconds: wall time between checkpoints.
        on_step: called as ``on_step(step, model, video)`` after each training step of DIP-Vid, DIP-Vid-3DCN and
            DIP-Vid-Flow (not DIP, which trains one network per frame), e.g. a :class:`videofill.progress.ProgressSaver`.
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
    if config.dilate:
        from .masks import dilate_holes

        holes = dilate_holes(holes, config.dilate)
    if not holes.any():
        notes.append("the masks are empty: nothing to fill, the input is copied through")
        return InpaintResult(frames.copy(), notes=notes)
    full_holes = np.flatnonzero(holes.reshape(len(holes), -1).all(axis=1))
    if len(full_holes):
        notes.append(f"frame(s) {', '.join(map(str, full_holes[:10]))} are all hole: filled from other frames only (the clip's mean colour where none shows a pixel)")
    if config.method != "dip" and config.max_steps != 0:
        from .schedule import check_length

        check_length(len(frames), config.batch_frames)
    prepared = prepare(frames, holes, config)
    height, width = prepared.holes.shape[1:]
    video = VideoTensors(
        frames=torch.from_numpy(prepared.frames).permute(0, 3, 1, 2).float() / 255.0,
        holes=torch.from_numpy(prepared.holes)[:, None],
        noise=_noise(len(frames), height, width, config),
    )
    checkpointer = Checkpointer(run_dir, config.to_dict(), checkpoint_seconds) if run_dir is not None else None
    learn = config.max_steps != 0  # max_steps 0 (with guide_start): the propagated video is the answer
    if config.method == "dip-vid-flow" and learn:
        video.flows = _video_flows(prepared, config, flow_estimator, checkpointer, resume)
    propagation = None
    if config.weight_guide > 0 or config.guide_output or config.guide_start:
        propagation = _propagation(prepared, config, video.flows, flow_estimator)
        video.guide = torch.from_numpy(propagation.frames).permute(0, 3, 1, 2).float() / 255.0
        weight = np.where(propagation.trusted, 1.0, np.where(prepared.holes, config.guide_untrusted, 0.0))
        video.guide_trusted = torch.from_numpy(weight.astype(np.float32))[:, None]
        if config.guide_start:
            video.base = video.guide
    region = None
    if learn and config.crop_margin is not None and on_step is None:  # progress snapshots show whole frames
        region = hole_region(prepared, config.depth, config.crop_margin)
    perceptual = _perceptual(config, device, notes) if learn else None
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    train = _train_dip if config.method == "dip" else functools.partial(_train_video, on_step=on_step)
    if learn:  # on the window around the holes when there is one; flows and propagation saw whole frames
        trained_on = crop_video(video, region) if region is not None else video
        generated, fit_result = train(trained_on, config, device, perceptual, progress, checkpointer, resume)
    else:
        generated, fit_result = video.base, FitResult()
    fill = to_uint8(generated)
    if region is not None:  # back into the whole (padded) working frames; every hole lies inside the window
        x0, y0, x1, y1 = region
        canvas = prepared.frames.copy()
        canvas[:, y0:y1, x0:x1] = fill
        fill = canvas
    if propagation is not None and config.guide_output:
        fill = np.where(propagation.trusted[..., None], propagation.frames, fill)
    generated_u8 = fill[:, : prepared.size[1], : prepared.size[0]]  # crop the padding
    fill = resize_frames(generated_u8, (frames.shape[2], frames.shape[1]))
    out = composite(frames, holes, fill, config.feather)
    for event in fit_result.recoveries:
        notes.append(event)
    return InpaintResult(out, generated_u8, fit_result, notes)


def inpaint(frames: np.ndarray, holes: np.ndarray, config: InpaintConfig | None = None, **kwargs) -> np.ndarray:
    """Fill the holes of a video: uint8 (T, H, W, 3) frames and bool (T, H, W) holes (True = hole) -> uint8 frames.

    The arrays-in, arrays-out entry point for notebooks and other tools; see :func:`inpaint_video` for the details.
    """
    return inpaint_video(frames, holes, config, **kwargs).frames
