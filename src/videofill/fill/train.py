"""The optimisation loop shared by every method, and the per-method objectives.

Data flow: the pipeline hands in the whole video at the working resolution (frames, holes, flows, noise); an
objective turns one :class:`~videofill.fill.schedule.Batch` into the tensors its loss needs (once per batch, reused for
its M steps) and computes the loss; :func:`fit` runs the Adam steps of the plan with a progress bar, a divergence
guard and optional checkpoints.
"""

from __future__ import annotations

import copy
import math
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

import torch
import torch.nn as nn
from tqdm.auto import tqdm

from videofill.fill.checkpoint import Checkpointer
from videofill.fill.flow import VideoFlows, in_bounds
from videofill.fill.losses import (
    LossWeights,
    PerceptualLoss,
    consistency_loss,
    flow_loss,
    guide_loss,
    reconstruction_loss,
)
from videofill.fill.schedule import Batch


@dataclass
class VideoTensors:
    """The video at the working resolution, as training sees it (on the CPU; batches are moved to the device).

    Attributes:
        frames: float32 (T, 3, H, W) in [0, 1].
        holes: bool (T, 1, H, W), True = hole (padding added for the network counts as hole).
        noise: float32 (T, 1, H, W), the fixed network input, uniform in [0, noise_max).
        flows: the input flows, or None for methods that use none.
        guide: float32 (T, 3, H, W) in [0, 1], frames with hole pixels propagated from other frames, or None.
        guide_trusted: float32 (T, 1, H, W) in [0, 1], per-pixel weight of the pull towards ``guide`` (0 outside
            the hole), or None.
        base: float32 (T, 3, H, W) in [0, 1] or None: when set, the generator's image is a correction added to it
            (``clamp(base + 2 * image - 1, 0, 1)``), so training starts from ``base`` instead of from noise.
    """

    frames: torch.Tensor
    holes: torch.Tensor
    noise: torch.Tensor
    flows: VideoFlows | None = None
    guide: torch.Tensor | None = None
    guide_trusted: torch.Tensor | None = None
    base: torch.Tensor | None = None


class Objective(Protocol):
    def prepare(self, batch: Batch) -> dict[str, torch.Tensor]: ...

    def __call__(self, model: nn.Module, prepared: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, float]]: ...


def generate_frames(
    model: nn.Module, noise: torch.Tensor, autocast: bool, base: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Run a 2D or 3D generator on (N, 1, H, W) noise; returns float32 frames (N, 3, H, W) and flows (N, 12, H, W).

    With ``base`` (N, 3, H, W) in [0, 1], the generated image is read as a correction: ``base + 2 * image - 1``,
    clamped to [0, 1] (see :attr:`VideoTensors.base`)."""
    conv3d = getattr(model, "conv3d", False)
    device_type = noise.device.type
    with torch.autocast(device_type, dtype=torch.bfloat16, enabled=autocast):
        if conv3d:
            frames, flows = model(noise.permute(1, 0, 2, 3).unsqueeze(0))  # (1, 1, N, H, W) -> (1, 3, N, H, W)
            frames = frames[0].permute(1, 0, 2, 3)  # -> (N, 3, H, W)
        else:
            frames, flows = model(noise)
    frames = frames.float()
    if base is not None:
        frames = (base + 2.0 * frames - 1.0).clamp(0.0, 1.0)
    return frames, (flows.float() if flows is not None else None)


class ImageObjective:
    """L_r only (DIP, DIP-Vid, DIP-Vid-3DCN), plus L_p when a perceptual loss is given."""

    def __init__(
        self,
        video: VideoTensors,
        device: torch.device,
        weights: LossWeights = LossWeights(),
        perceptual: PerceptualLoss | None = None,
        autocast: bool = False,
        channels_last: bool = False,
    ) -> None:
        self.video, self.device, self.weights, self.perceptual = video, device, weights, perceptual
        self.autocast, self.channels_last = autocast, channels_last

    def prepare(self, batch: Batch) -> dict[str, torch.Tensor]:
        index = torch.tensor(batch.frames)
        prepared = {
            "noise": self.video.noise[index].to(self.device),
            "targets": self.video.frames[index].to(self.device),
            "holes": self.video.holes[index].to(self.device),
        }
        if self.video.guide is not None and self.weights.guide > 0:
            prepared["guide"] = self.video.guide[index].to(self.device)
            prepared["guide_trusted"] = self.video.guide_trusted[index].to(self.device)
        if self.video.base is not None:
            prepared["base"] = self.video.base[index].to(self.device)
        if self.channels_last:
            prepared["noise"] = prepared["noise"].contiguous(memory_format=torch.channels_last)
        if self.perceptual is not None:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                prepared["perceptual"] = self.perceptual.targets(prepared["targets"], prepared["holes"])
        return prepared

    def _image_terms(self, frames: torch.Tensor, prepared: dict) -> tuple[torch.Tensor, dict[str, float]]:
        l_r = reconstruction_loss(frames, prepared["targets"], ~prepared["holes"])
        total = self.weights.reconstruction * l_r
        parts = {"rec": l_r.item()}
        if "guide" in prepared:
            l_g = guide_loss(frames, prepared["guide"], prepared["guide_trusted"])
            total = total + self.weights.guide * l_g
            parts["guide"] = l_g.item()
        if self.perceptual is not None:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                l_p = self.perceptual(frames, prepared["perceptual"])
            total = total + self.weights.perceptual * l_p
            parts["perc"] = l_p.item()
        return total, parts

    def __call__(self, model: nn.Module, prepared: dict) -> tuple[torch.Tensor, dict[str, float]]:
        frames, _ = generate_frames(model, prepared["noise"], self.autocast, prepared.get("base"))
        return self._image_terms(frames, prepared)


class FlowObjective(ImageObjective):
    """DIP-Vid-Flow: L_r + L_f + L_c + L_p on one stride and one flow direction (section 3.1, appendix C.4)."""

    def prepare(self, batch: Batch) -> dict[str, torch.Tensor]:
        prepared = super().prepare(batch)
        flows, k = self.video.flows, batch.flow_index
        index = torch.tensor(batch.frames)
        scale = float(flows.scale[k])
        prepared["scale"] = torch.tensor(scale)
        prepared["flow_k"] = torch.tensor(k)
        prepared["target_flows"] = (flows.flows[index, k] / scale).to(self.device)  # (N, 2, H, W), normalised
        prepared["flow_weight"] = (flows.valid[index, k] & flows.reliable[index, k]).to(self.device)  # O & M^f
        # Consistency pairs inside the batch: frame i and its neighbour j = i + direction * stride.
        positions = list(range(len(batch.frames) - 1))
        pos_i = [p + 1 for p in positions] if batch.direction < 0 else positions
        pos_j = positions if batch.direction < 0 else [p + 1 for p in positions]
        prepared["pos_i"], prepared["pos_j"] = torch.tensor(pos_i), torch.tensor(pos_j)
        prepared["unreliable"] = (~flows.reliable[index[pos_i], k]).to(self.device)  # 1 - M^f, (N-1, 1, H, W)
        return prepared

    def __call__(self, model: nn.Module, prepared: dict) -> tuple[torch.Tensor, dict[str, float]]:
        frames, flows = generate_frames(model, prepared["noise"], self.autocast, prepared.get("base"))
        total, parts = self._image_terms(frames, prepared)
        k = int(prepared["flow_k"])
        predicted = flows[:, 2 * k : 2 * k + 2]  # (N, 12, H, W) -> (N, 2, H, W), normalised units
        l_f = flow_loss(predicted, prepared["target_flows"], prepared["flow_weight"])
        pos_i, pos_j = prepared["pos_i"], prepared["pos_j"]
        predicted_px = predicted[pos_i] * prepared["scale"]  # (N-1, 2, H, W) in pixels
        weight = prepared["unreliable"] & in_bounds(predicted_px.detach())
        l_c = consistency_loss(frames[pos_i], frames[pos_j], predicted_px, weight)
        total = total + self.weights.flow * l_f + self.weights.consistency * l_c
        parts.update(flow=l_f.item(), cons=l_c.item())
        return total, parts


@dataclass
class GuardConfig:
    """Divergence guard: a NaN/Inf loss or a spike restores the last good state and lowers the learning rate.

    Built from :class:`videofill.config.InpaintConfig`'s ``guard_*`` fields (:meth:`from_config`), where the defaults live.
    """

    @classmethod
    def from_config(cls, config) -> "GuardConfig":
        return cls(config.guard_snapshot_every, config.guard_spike_factor, config.guard_lr_decay, config.guard_history)


    snapshot_every: int  # steps between in-memory snapshots of a good state
    spike_factor: float  # a loss above this many times the recent median counts as a spike
    lr_decay: float  # learning-rate factor applied after each recovery
    history: int  # steps of loss kept for the median


@dataclass
class FitResult:
    """What :func:`fit` reports: the loss history (per step) and the divergence events."""

    history: dict[str, list[float]] = field(default_factory=dict)
    recoveries: list[str] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0


class DivergenceGuard:
    """Keeps a recent good copy of the model and optimiser; restores it when the loss is NaN/Inf or spikes."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer, config: GuardConfig) -> None:
        self.model, self.optimizer, self.config = model, optimizer, config
        self.recent: list[float] = []
        self._snapshot()

    def _snapshot(self) -> None:
        self.good = (copy.deepcopy(self.model.state_dict()), copy.deepcopy(self.optimizer.state_dict()))

    def check(self, step: int, loss: float) -> str | None:
        """Call after computing the loss, before the update. Returns a message when it intervened (skip the update)."""
        median = sorted(self.recent)[len(self.recent) // 2] if len(self.recent) >= 10 else None
        bad = not math.isfinite(loss)
        spike = median is not None and loss > self.config.spike_factor * max(median, 1e-8)
        if bad or spike:
            self.model.load_state_dict(self.good[0])
            self.optimizer.load_state_dict(self.good[1])
            for group in self.optimizer.param_groups:
                group["lr"] *= self.config.lr_decay
            lr = self.optimizer.param_groups[0]["lr"]
            what = "non-finite loss" if bad else f"loss spike ({loss:.3g} vs median {median:.3g})"
            return f"step {step}: {what}; restored the last good state, learning rate now {lr:.3g}"
        self.recent = (self.recent + [loss])[-self.config.history :]
        if step % self.config.snapshot_every == 0:
            self._snapshot()
        return None


class _StopRequest:
    """Ctrl-C (SIGINT) and SIGTERM during training, held until the current step is finished.

    In the main thread, :meth:`install` replaces both handlers with one that only records the signal; :func:`fit`
    checks :attr:`signal` after each step, saves a checkpoint and raises KeyboardInterrupt, so ``--resume``
    continues from the next step instead of the last periodic save. A second signal stops at once. Elsewhere (a
    worker thread) nothing is installed and signals behave as usual.
    """

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous[number] = signal.signal(number, self._record)

    def uninstall(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _record(self, number: int, _frame) -> None:
        if self.signal is not None:  # asked twice: do not wait for the step
            raise KeyboardInterrupt
        self.signal = number


def fit(
    model: nn.Module,
    objective: Objective,
    plan: Iterable[tuple[int, Batch]],
    total: int,
    lr: float,
    *,
    progress: bool = True,
    description: str = "training",
    start_step: int = 0,
    optimizer: torch.optim.Optimizer | None = None,
    guard: GuardConfig | None = None,
    steps_per_epoch: int | None = None,
    on_step: Callable[[int, float, torch.optim.Optimizer], None] | None = None,
    loss_hook: Callable[[int, torch.Tensor], torch.Tensor] | None = None,
    checkpoint: Checkpointer | None = None,
    resume_state: dict | None = None,
    checkpoint_extra: Callable[[], dict] | None = None,
) -> FitResult:
    """Run the Adam steps of ``plan`` on ``model``.

    Args:
        model: the generator, already on the device.
        objective: turns a batch into a loss.
        plan: (global step, batch) pairs, e.g. from :func:`videofill.fill.schedule.step_plan`; steps before
            ``start_step`` are skipped (resume).
        total: number of steps in the plan (for the progress bar and ETA).
        lr: Adam learning rate.
        progress: show a progress bar with the step, epoch-free position, losses and ETA.
        optimizer: an existing optimiser (resume); a new Adam when None.
        guard: divergence guard settings (:meth:`GuardConfig.from_config`); None disables it.
        steps_per_epoch: steps in one sweep over the batch list, to show the epoch in the progress bar.
        on_step: called after each update with (step, loss, optimizer), e.g. to checkpoint.
        loss_hook: test hook that may replace the loss tensor (used to inject a NaN).
        checkpoint: saves the state at intervals (see :mod:`videofill.fill.checkpoint`).
        resume_state: a state saved by ``checkpoint``: training continues after its step.
        checkpoint_extra: returns more state to save with each checkpoint (e.g. DIP's finished frames).

    Returns:
        :class:`FitResult`.
    """
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    result = FitResult()
    if resume_state is not None:
        model.load_state_dict(resume_state["model"])
        optimizer.load_state_dict(resume_state["optimizer"])
        start_step = resume_state["step"] + 1
        result.history = {name: list(values) for name, values in resume_state["history"].items()}
        result.recoveries = list(resume_state["recoveries"])
    watchdog = DivergenceGuard(model, optimizer, guard) if guard is not None else None
    if watchdog is not None and resume_state is not None:
        watchdog.recent = list(resume_state["guard_recent"])
    model.train()
    started = time.perf_counter()
    bar = tqdm(total=total, initial=start_step, desc=description, disable=not progress, unit="step", dynamic_ncols=True)
    current_batch, prepared = None, None
    stop = _StopRequest()
    try:
        stop.install()
        for step, batch in plan:
            if step < start_step:
                continue
            if batch is not current_batch:
                current_batch, prepared = batch, objective.prepare(batch)
            loss, parts = objective(model, prepared)
            if loss_hook is not None:
                loss = loss_hook(step, loss)
            value = float(loss.detach())
            event = watchdog.check(step, value) if watchdog is not None else None
            if event is not None:
                result.recoveries.append(event)
                warnings.warn(event, RuntimeWarning, stacklevel=2)
            else:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            for name, part in {"total": value, **parts}.items():
                result.history.setdefault(name, []).append(part)
            result.steps += 1
            if on_step is not None:
                on_step(step, value, optimizer)
            stopping = stop.signal is not None  # read once: a signal arriving after this line stops after the next step
            if checkpoint is not None and (checkpoint.due(step) or step == total - 1 or stopping):
                checkpoint.save(
                    {
                        "model": model.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "step": step,
                        "history": result.history,
                        "recoveries": result.recoveries,
                        "guard_recent": watchdog.recent if watchdog is not None else [],
                        **(checkpoint_extra() if checkpoint_extra is not None else {}),
                    }
                )
            bar.update(1)
            if step % 10 == 0 or step == total - 1:
                shown = {"epoch": f"{step // steps_per_epoch + 1}"} if steps_per_epoch else {}
                shown.update({name: f"{part:.4f}" for name, part in {"loss": value, **parts}.items()})
                bar.set_postfix(shown)
            if stopping:  # the state after this step is saved: resume continues from the next one
                raise KeyboardInterrupt(f"stopped by signal {stop.signal} after step {step}")
    finally:
        stop.uninstall()
        bar.close()
    result.seconds = time.perf_counter() - started
    return result
