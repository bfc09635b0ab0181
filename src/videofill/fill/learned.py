"""What no frame shows, learned from this video: the paper's generator trained as a deep image prior on one image.

The paper (section 3) trains its encoder-decoder (:class:`videofill.fill.networks.EncoderDecoder`) from fixed noise
to reproduce the known pixels of a video; what it outputs in the holes is what it learned from that video. Under a
static camera, the pixels no frame shows lie on one background (the *plate*,
:func:`videofill.fill.synthesis.background_plate`), so the video methods reduce to DIP on that one image:
:func:`dip_fill` trains a fresh network on the crop around the hole with the masked squared error of the paper's
L_r (eq. 3) and reads the hole from its output. Unlike diffusion it carries the image's texture and edges into the
hole; unlike patches it needs no exemplar wider than the hole, so thin holes (text strokes) are filled too.

Conventions: images uint8 (H, W, 3) RGB; masks bool (H, W), True = hole.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from tqdm.auto import tqdm

from videofill.fill.losses import reconstruction_loss
from videofill.fill.networks import EncoderDecoder

#: Encoder channels of the image prior, top to bottom (the paper's first five levels: a crop needs fewer than six).
DIP_CHANNELS = (16, 32, 64, 128, 128)
#: Known pixels (px) kept around the hole's bounding box as the network's context.
DIP_MARGIN = 48
#: Adam learning rate (the paper's).
DIP_LR = 0.01
#: Upper bound of the uniform noise input (the paper's 0.1).
DIP_NOISE = 0.1


def smallest_side(channels: tuple[int, ...] = DIP_CHANNELS) -> int:
    """The smallest crop side (px) the network of ``channels`` can train on: its deepest level's second 5x5
    convolution pads 2 px by reflection, which needs 3 px or more there, so 3 * 2 ** depth."""
    return 3 * 2 ** len(channels)


def crop_around(hole: np.ndarray, margin: int, multiple: int, least: int = 0) -> tuple[slice, slice]:
    """The rectangle (rows, columns) holding every hole pixel plus ``margin`` px each side, each side rounded up to
    a multiple of ``multiple`` and to ``least`` px or more (centred on the box, kept inside the image; at most the
    largest multiple that fits, so a hole reaching the image's last few rows or columns may stick out).
    bool (H, W) -> (slice, slice).

    Raises ValueError when the image is smaller than ``multiple`` on a side or the hole is empty."""
    height, width = hole.shape
    if not hole.any():
        raise ValueError("crop_around: the hole is empty")
    if height < multiple or width < multiple:
        raise ValueError(f"crop_around: a {width}x{height} image is smaller than {multiple} px on a side")
    ys, xs = np.nonzero(hole)
    spans = []
    for low, high, size in ((ys.min(), ys.max() + 1, height), (xs.min(), xs.max() + 1, width)):
        low, high = max(0, int(low) - margin), min(size, int(high) + margin)
        side = min(-(-max(high - low, least) // multiple) * multiple, size // multiple * multiple)
        start = min(max(0, (low + high - side) // 2), size - side)
        spans.append(slice(start, start + side))
    return spans[0], spans[1]


def dip_fill(
    image: np.ndarray,
    hole: np.ndarray,
    steps: int,
    channels: tuple[int, ...] = DIP_CHANNELS,
    margin: int = DIP_MARGIN,
    seed: int = 0,
    device: str | torch.device = "cpu",
    progress: bool = False,
    runs: int = 1,
) -> np.ndarray:
    """Fill ``hole`` of one image with the output of a network trained on its known pixels around the hole.

    With ``runs`` > 1, that many networks are trained, seeded ``seed``, ``seed + 1``, ..., and the hole takes the
    mean of their outputs: one network's fill depends much on its seed (on a never-revealed box of
    benchmarks/results/unseen_seeds.md, 0.2 to 1.7 dB over Telea for four seeds, the mean of two 1.7), and the mean
    of several is closer to the truth than a typical one (squared error is convex), at the cost of some texture.

    Args:
        image: uint8 (H, W, 3) RGB; its hole pixels are never looked at.
        hole: bool (H, W), True = to fill (also every pixel whose value must not be learned).
        steps: Adam steps of each network (each one forward and backward pass over the crop).
        channels: encoder channels per level; the image must be :func:`smallest_side` px or more on each side.
        margin: px of known context kept around the hole's bounding box.
        seed: seeds the first network's noise input and initial weights.
        device: where the networks train.
        progress: show a progress bar of the steps.
        runs: networks trained, whose outputs are averaged (1 or more).

    Returns:
        uint8 (H, W, 3): ``image`` with the hole pixels replaced by the networks' mean output (others unchanged).
    """
    if runs < 1:
        raise ValueError(f"dip_fill: runs must be 1 or more, got {runs}")
    out = image.copy()
    if not hole.any() or steps <= 0:
        return out
    if min(image.shape[:2]) < smallest_side(channels):
        raise ValueError(f"dip_fill: a {image.shape[1]}x{image.shape[0]} image is smaller than the network's "
                         f"{smallest_side(channels)} px on a side")
    rows, cols = crop_around(hole, margin, 2 ** len(channels), least=smallest_side(channels))
    crop_hole = hole[rows, cols]
    device = torch.device(device)
    target = (torch.from_numpy(image[rows, cols]).permute(2, 0, 1)[None].float() / 255.0).to(device)
    known = torch.from_numpy(~crop_hole)[None, None].to(device)
    bar = tqdm(total=steps * runs, desc="network on the background", unit="step", disable=not progress, leave=False)
    total = np.zeros((*crop_hole.shape, 3), np.float64)
    for run in range(runs):
        total += _train_one(target, known, steps, channels, seed + run, device, bar)
    bar.close()
    values = ((total / runs).astype(np.float32) * 255.0).round().clip(0, 255).astype(np.uint8)  # float32 as one network's
    out[rows, cols][crop_hole] = values[crop_hole]
    return out


def coarse_dip_fill(
    image: np.ndarray,
    hole: np.ndarray,
    steps: int,
    factor: int = 2,
    channels: tuple[int, ...] = DIP_CHANNELS,
    margin: int = DIP_MARGIN,
    seed: int = 0,
    device: str | torch.device = "cpu",
    progress: bool = False,
    runs: int = 1,
) -> np.ndarray:
    """:func:`dip_fill` on the image shrunk ``factor`` times, its fill enlarged back: the coarse step of a
    coarse-to-fine schedule. At the smaller size the hole is smaller against the network's receptive field and the
    ``margin`` of context wider, and a step costs less (up to ``factor ** 2`` times; about 2 times on the crop of a
    5 % box at 320x176 px, where the margin and the network's smallest side stay as they are), so the network can
    train longer for the same time; what it gives is the hole's coarse structure (finer detail is lost to the
    shrinking).

    Args:
        image: uint8 (H, W, 3) RGB; its hole pixels are never looked at.
        hole: bool (H, W), True = to fill; a pixel of the smaller image is hole when any pixel it covers is.
        steps, channels, margin (px of the smaller image), seed, device, progress, runs: as :func:`dip_fill`.
        factor: shrinking factor (1: :func:`dip_fill` itself). The smaller image is shrunk with area averaging and
            padded by reflection to :func:`smallest_side` px when it falls below; its fill is enlarged bicubically.

    Returns:
        uint8 (H, W, 3): ``image`` with the hole pixels replaced by the enlarged fill (others unchanged).
    """
    if factor < 1:
        raise ValueError(f"coarse_dip_fill: factor must be 1 or more, got {factor}")
    options = {"channels": channels, "margin": margin, "seed": seed, "device": device, "progress": progress,
               "runs": runs}
    if factor == 1 or not hole.any() or steps <= 0:
        return dip_fill(image, hole, steps, **options)
    height, width = hole.shape
    size = (max(1, width // factor), max(1, height // factor))
    small_hole = cv2.resize(hole.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
    small = np.where(small_hole[..., None], 0, cv2.resize(image, size, interpolation=cv2.INTER_AREA))
    short = [max(0, smallest_side(channels) - side) for side in small_hole.shape]
    if any(short):  # reflected at the bottom and right; the reflected hole stays hole
        small = cv2.copyMakeBorder(small, 0, short[0], 0, short[1], cv2.BORDER_REFLECT)
        small_hole = cv2.copyMakeBorder(small_hole.astype(np.uint8), 0, short[0], 0, short[1], cv2.BORDER_REFLECT) > 0
    filled = dip_fill(small, small_hole, steps, **options)[: size[1], : size[0]]
    out = image.copy()
    out[hole] = cv2.resize(filled, (width, height), interpolation=cv2.INTER_CUBIC)[hole]
    return out


def _train_one(target, known, steps, channels, seed, device, bar) -> np.ndarray:
    """One network trained from fixed noise on ``target``'s ``known`` pixels (tensors (1, 3, h, w) in [0, 1] and
    bool (1, 1, h, w)): its output, float (h, w, 3) in [0, 1]."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    network = EncoderDecoder(channels=channels, flow_channels=0).to(device)
    height, width = target.shape[-2:]
    noise = (torch.rand((1, 1, height, width), generator=generator) * DIP_NOISE).to(device)
    optimizer = torch.optim.Adam(network.parameters(), lr=DIP_LR)
    for _ in range(steps):
        generated, _ = network(noise)
        loss = reconstruction_loss(generated, target, known)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        bar.update()
    with torch.no_grad():  # training mode kept: BatchNorm normalises with the statistics it was trained with
        generated, _ = network(noise)
    return generated[0].permute(1, 2, 0).float().cpu().numpy()


__all__ = ["DIP_CHANNELS", "coarse_dip_fill", "crop_around", "dip_fill", "smallest_side"]
