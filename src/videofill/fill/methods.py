"""The paper's four methods as training runs: DIP-Vid, DIP-Vid-3DCN and DIP-Vid-Flow train one network over the video
(:func:`train_video`); DIP trains a fresh network per frame and keeps its lowest-loss result (:func:`train_dip`).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from videofill.config import InpaintConfig
from videofill.fill.inference import generate_video
from videofill.fill.losses import LossWeights, PerceptualLoss
from videofill.fill.networks import EncoderDecoder
from videofill.fill.schedule import (
    Batch,
    consecutive_batches,
    flow_batches,
    planned_batches,
    step_plan,
    total_steps,
)
from videofill.fill.train import (
    FitResult,
    FlowObjective,
    GuardConfig,
    ImageObjective,
    VideoTensors,
    fit,
)


def make_noise(count: int, height: int, width: int, config: InpaintConfig) -> torch.Tensor:
    generator = torch.Generator().manual_seed(config.seed)
    return torch.rand(count, 1, height, width, generator=generator) * config.noise_max



def perceptual_loss_for(config: InpaintConfig, device: torch.device, notes: list[str]) -> PerceptualLoss | None:
    if not config.perceptual or config.weight_perceptual == 0:
        return None
    from videofill.fill.vgg import load_vgg16

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



def train_video(video, config, device, perceptual, progress, checkpointer=None, resume=False, on_step=None):
    """DIP-Vid, DIP-Vid-3DCN, DIP-Vid-Flow: one network over the whole video. Returns (generated frames, FitResult).

    ``on_step(step, model, video)`` is called after every training step (e.g. :class:`videofill.fill.progress.ProgressSaver`)."""
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
        guard=GuardConfig.from_config(config),
        checkpoint=checkpointer,
        resume_state=state,
        on_step=None if on_step is None else (lambda step, _loss, _optimizer: on_step(step, model, video)),
    )
    generated = generate_video(model, video.noise, config.batch_frames, device, config.bf16, video.base)
    return generated, result



def best_candidate(losses: list[float], candidates: list) -> object:
    """DIP's answer to its instability: of the candidates taken along training, the one with the lowest loss."""
    return candidates[int(np.argmin(losses))]



def train_dip(video, config, device, perceptual, progress, checkpointer=None, resume=False):
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
                frames, _ = generate_eval(model, video.noise[i : i + 1].to(device), config.bf16, _base(video, i, device))
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
            guard=GuardConfig.from_config(config),
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
        generated[i] = best_candidate(losses, candidates) if candidates else generate_eval(
            model, video.noise[i : i + 1].to(device), config.bf16, _base(video, i, device)
        )[0][0].cpu()
        for name, values in result.history.items():
            merged.history.setdefault(name, []).extend(values)
        merged.recoveries += result.recoveries
        merged.steps += result.steps
        merged.seconds += result.seconds
    return generated, merged



@torch.no_grad()
def generate_eval(model, noise, autocast, base=None):
    from videofill.fill.train import generate_frames

    return generate_frames(model, noise, autocast, base)



def _base(video: VideoTensors, i: int, device: torch.device) -> torch.Tensor | None:
    return None if video.base is None else video.base[i : i + 1].to(device)



def _weights(config: InpaintConfig) -> LossWeights:
    return LossWeights(
        config.weight_reconstruction,
        config.weight_flow,
        config.weight_consistency,
        config.weight_perceptual,
        config.weight_guide,
    )

