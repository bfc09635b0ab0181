"""Per-step cost of DIP-Vid-Flow training, side by side (issue 5, target 3).

One training step = the paper's generator on N = 5 frames at 384x192, the four losses (L_r, L_f, L_c, L_p), the
backward pass and the Adam update. Variants, measured in one process on the same synthetic data:

- ``straightforward fp32``: what a direct implementation does (and what the authors' code does): the whole VGG16
  feature stack (to relu5_3) run on the generated and on the input frames every step, its weights left trainable
  (their gradients computed and thrown away), float32, contiguous memory.
- ``+ VGG cut at relu3_3, frozen, targets cached``: the network stops at the last layer L_p uses, its weights get no
  gradient, the input frames' features are computed once per batch.
- ``+ bf16 autocast + channels_last``: the default preset's compute settings.
- ``+ masked targets, fused MSE``: videofill's PerceptualLoss: the targets are stored masked and in float32 and the
  masks in the features' layout, so a step masks its own features and calls ``F.mse_loss`` (one fused kernel each
  way) instead of converting, subtracting, masking and squaring the large relu1_2 maps element by element. The
  rows above use the element-wise form a direct implementation writes (``StraightforwardPerceptual``).
- ``+ window around the hole``: training on the smallest window the network accepts that holds the hole plus 32 px
  of context (``crop_margin``, as the default preset does when it trains), here 192x192 of the 384x192 frames.

VGG16 weights are not obtainable here, so its weights are random: the cost of a step does not depend on them.

Run from the repository root:  .venv/bin/python benchmarks/step_time.py [--steps 5] [--size 384x192]
Writes benchmarks/results/step_time.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, command_line  # noqa: E402

from videofill.fill.flow import FLOW_OFFSETS, VideoFlows
from videofill.fill.losses import LossWeights, PerceptualLoss, downsample_holes, grow_holes, masked_mse
from videofill.fill.networks import EncoderDecoder
from videofill.fill.prepare import PreparedVideo, crop_video, hole_region
from videofill.fill.schedule import Batch
from videofill.fill.train import FlowObjective, VideoTensors
from videofill.fill.vgg import VGG16Features, vgg_layers

_FULL_VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512)


class FullVGG16(VGG16Features):
    """VGG16's whole convolutional stack (to relu5_3), trainable, returning the relu1_2/relu2_2/relu3_3 taps: L_p as a
    straightforward implementation computes it."""

    def __init__(self) -> None:
        super().__init__()
        self.features = vgg_layers(_FULL_VGG16)  # VGG16Features.forward runs every layer of it
        for parameter in self.parameters():
            parameter.requires_grad_(True)


class StraightforwardPerceptual(PerceptualLoss):
    """L_p written element by element: float32 copies of both feature maps, difference, mask, square, mean."""

    @torch.no_grad()
    def targets(self, frames, holes):
        out = []
        for feature, growth in zip(self.features(frames), self.growth):
            out.append((feature.detach(), ~grow_holes(downsample_holes(holes, tuple(feature.shape[-2:])), growth)))
        return out

    def forward(self, frames, targets):
        loss = frames.new_zeros(())
        for feature, (target, known) in zip(self.features(frames), targets):
            loss = loss + masked_mse(feature.float(), target.float(), known)
        return loss


def synthetic_video(frames: int, width: int, height: int) -> VideoTensors:
    """Random frames, a central hole, random flows: enough to exercise every loss term."""
    generator = torch.Generator().manual_seed(0)
    holes = torch.zeros(frames, 1, height, width, dtype=torch.bool)
    holes[..., height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = True
    k = len(FLOW_OFFSETS)
    flows = VideoFlows(
        flows=torch.randn(frames, k, 2, height, width, generator=generator) * 3,
        valid=torch.rand(frames, k, 1, height, width, generator=generator) > 0.1,
        reliable=~holes[:, None].expand(frames, k, 1, height, width).clone(),
        scale=torch.full((k,), 10.0),
    )
    return VideoTensors(
        frames=torch.rand(frames, 3, height, width, generator=generator),
        holes=holes,
        noise=torch.rand(frames, 1, height, width, generator=generator) * 0.1,
        flows=flows,
    )


def cropped(video: VideoTensors, margin: int, depth: int = 6) -> VideoTensors:
    """The video cut to :func:`videofill.fill.prepare.hole_region` (what the pipeline trains on with ``crop_margin``)."""
    holes = video.holes[:, 0].numpy()
    size = (holes.shape[2], holes.shape[1])
    region = hole_region(PreparedVideo(np.zeros((*holes.shape, 3), np.uint8), holes, size), depth, margin)
    return crop_video(video, region)


def time_steps(
    video: VideoTensors, vgg: nn.Module, *, bf16: bool, channels_last: bool, cache_targets: bool, fused: bool, steps: int
) -> list[float]:
    """Seconds of each of ``steps`` training steps (after one warm-up step)."""
    torch.manual_seed(0)
    model = EncoderDecoder(flow_channels=12)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        vgg = vgg.to(memory_format=torch.channels_last)
    objective = FlowObjective(video, torch.device("cpu"), LossWeights(), (PerceptualLoss if fused else StraightforwardPerceptual)(vgg), bf16, channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    batch = Batch(tuple(range(5)), 1, 1)
    prepared = objective.prepare(batch)
    times = []
    for step in range(steps + 1):
        started = time.perf_counter()
        if not cache_targets:
            prepared = objective.prepare(batch)  # the input frames' VGG features again, every step
        loss, _ = objective(model, prepared)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step:
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps per variant (after one warm-up)")
    parser.add_argument("--size", default="384x192", help="frame size WxH")
    parser.add_argument("--out", default=str(RESULTS / "step_time.md"))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    torch.manual_seed(0)
    video = synthetic_video(5, width, height)
    variants = [
        ("straightforward fp32 (whole VGG16, trainable, targets every step)", dict(vgg=FullVGG16(), bf16=False, channels_last=False, cache_targets=False, fused=False)),
        ("+ VGG cut at relu3_3, frozen, targets cached (fp32)", dict(vgg=VGG16Features(), bf16=False, channels_last=False, cache_targets=True, fused=False)),
        ("+ bf16 autocast + channels_last", dict(vgg=VGG16Features(), bf16=True, channels_last=True, cache_targets=True, fused=False)),
        ("+ masked targets, fused MSE (videofill's L_p; every preset)", dict(vgg=VGG16Features(), bf16=True, channels_last=True, cache_targets=True, fused=True)),
        ("+ window around the hole, 192x192 (default preset when it trains)", dict(vgg=VGG16Features(), bf16=True, channels_last=True, cache_targets=True, fused=True, crop=32)),
    ]
    rows = []
    for name, options in variants:
        margin = options.pop("crop", None)
        times = time_steps(video if margin is None else cropped(video, margin), steps=args.steps, **options)
        rows.append((name, statistics.median(times), min(times)))
        print(f"{name}: median {rows[-1][1]:.3f} s/step", flush=True)
    base = rows[0][1]
    lines = [
        "# Training-step cost, side by side",
        "",
        f"Generated by `{command_line()}` on {time.strftime('%Y-%m-%d')}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads. One step: the paper's generator "
        f"({sum(p.numel() for p in EncoderDecoder(flow_channels=12).parameters()):,} parameters) on 5 frames at "
        f"{width}x{height}, L_r + L_f + L_c + L_p, backward, Adam. VGG16 weights are random (none can be downloaded "
        "here); the cost does not depend on their values. Median and best of "
        f"{args.steps} steps after a warm-up.",
        "",
        "| variant | median s/step | best s/step | speed-up vs straightforward |",
        "|---|---|---|---|",
    ]
    for name, median, best in rows:
        lines.append(f"| {name} | {median:.3f} | {best:.3f} | {base / median:.2f}x |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
