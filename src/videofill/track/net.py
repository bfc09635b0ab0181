"""A small segmentation network trained from scratch on the marked frames of one video.

Input: RGB in [0, 1] and a prior mask in [0, 1] (the previous mask carried by optical flow), 4 channels.
Output: one logit per pixel (object). No normalisation layers (a batch is crops of one or a few frames). float32:
bf16 autocast was ~7x slower than float32 on the AVX2 CPU this was measured on.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from videofill.track.augment import make_batch
from videofill.track.config import TrackConfig


def _conv(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, dilation, dilation), nn.LeakyReLU(0.1, inplace=True))


class MaskNet(nn.Module):
    """(B, 4, H, W) float -> (B, 1, H, W) logits; any H and W.

    Two levels (1/2 and 1/4 of the input resolution), the coarser with dilated convolutions for context; the 1/2
    logits are enlarged and corrected by a light full-resolution layer that sees the image and the prior.

    Args:
        width: channels at 1/2 resolution; twice that at 1/4.
    """

    def __init__(self, width: int = 16):
        super().__init__()
        c = width
        self.enc2 = nn.Sequential(_conv(4, c, stride=2), _conv(c, c))
        self.enc4 = nn.Sequential(_conv(c, 2 * c, stride=2), _conv(2 * c, 2 * c, dilation=2),
                                  _conv(2 * c, 2 * c, dilation=4), _conv(2 * c, 2 * c, dilation=8))
        self.dec2 = nn.Sequential(_conv(3 * c, c), nn.Conv2d(c, 1, 3, 1, 1))
        self.full = nn.Sequential(_conv(5, 8), nn.Conv2d(8, 1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.cat([(x[:, :3] - 0.45) / 0.25, x[:, 3:] * 2 - 1], 1)
        e2 = self.enc2(x)
        e4 = self.enc4(e2)
        d2 = self.dec2(torch.cat([F.interpolate(e4, size=e2.shape[-2:], mode="bilinear"), e2], 1))
        coarse = F.interpolate(d2, size=x.shape[-2:], mode="bilinear")
        return coarse + self.full(torch.cat([x, coarse], 1))


def _loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy plus soft Dice (1 - 2|p t| / (|p| + |t|)), on float32.

    Target values near 0.5 (within 0.25) are "unknown" and left out: a tracked frame's uncertain band.
    """
    logits = logits.float()
    weight = ((target - 0.5).abs() >= 0.25).float()
    target = (target > 0.5).float()
    bce = (F.binary_cross_entropy_with_logits(logits, target, reduction="none") * weight).sum() / weight.sum().clamp(min=1)
    p = torch.sigmoid(logits) * weight
    dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + (target * weight).sum() + 1)
    return bce + 0.5 * dice


class Segmenter:
    """A MaskNet with its optimiser: trained on marked frames, then run frame by frame (and updated online).

    Args:
        cfg: the tracker settings (network width, steps, learning rate, augmentation).
        use_prior: feed the prior channel (False: appearance only, the prior is always zero).
    """

    def __init__(self, cfg: TrackConfig, use_prior: bool = True):
        self.cfg = cfg
        self.use_prior = use_prior
        torch.manual_seed(cfg.seed)
        self.rng = np.random.default_rng(cfg.seed)
        self.net = MaskNet(cfg.net_width)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=cfg.lr)

    def fit(self, images: list[np.ndarray], masks: list[np.ndarray], steps: int, lr: float | None = None) -> float:
        """Train ``steps`` Adam steps on crops of the given frames; returns the mean loss of the last 20 steps.

        Args:
            images: float32 (h, w, 3) RGB in [0, 1], one per frame.
            masks: float32 (h, w) in [0, 1], the object on each.
            steps: number of steps.
            lr: learning rate for these steps (default ``cfg.lr``, cosine-decayed to a tenth over the steps).
        """
        base = self.cfg.lr if lr is None else lr
        self.net.train()
        losses = []
        for i in range(steps):
            for g in self.opt.param_groups:
                g["lr"] = base * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * i / max(1, steps))))
            x, y = make_batch(images, masks, self.rng, self.cfg, self.use_prior)
            x, y = torch.from_numpy(x), torch.from_numpy(y)
            logits = self.net(x)
            loss = _loss(logits, y)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            losses.append(float(loss.detach()))
        return float(np.mean(losses[-20:])) if losses else float("nan")

    @torch.no_grad()
    def predict(self, image: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """float32 (h, w) object probability in [0, 1] of a float32 (h, w, 3) RGB [0, 1] frame and its (h, w) prior."""
        self.net.eval()
        if not self.use_prior:
            prior = np.zeros_like(prior)
        x = torch.from_numpy(np.ascontiguousarray(np.concatenate([image.transpose(2, 0, 1), prior[None]], 0)[None],
                                                  dtype=np.float32))
        prob = torch.sigmoid(self.net(x).float())[0, 0]
        if self.cfg.tta_flip:  # the mean with the mirrored frame's probability (training flips crops too)
            prob = 0.5 * (prob + torch.sigmoid(self.net(x.flip(-1)).float())[0, 0].flip(-1))
        return prob.numpy()
