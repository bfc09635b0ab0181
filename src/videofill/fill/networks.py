"""The generators: the encoder-decoder of appendix A.1 (2D) and its 3D-convolution variant of appendix A.2.

Both map a fixed noise map to frames (and, for DIP-Vid-Flow, to flows). The topology, with the numbers the
appendix leaves out, as the authors' released code sets them:

- ``depth`` levels (6 in the paper) with encoder channels ``channels`` (16, 32, 64, 128, 128, 128).
- Encoder level: conv k_down stride 2, then conv k_down stride 1; each conv followed by BatchNorm + LeakyReLU(0.2).
- Skip: a 1x1 conv to ``skip_channels`` (4) channels + BatchNorm + LeakyReLU, taken from each level's input.
- Decoder level: nearest x2 upsampling, concat [skip, upsampled], BatchNorm, conv k_up, then a 1x1 conv, each conv
  followed by BatchNorm + LeakyReLU.
- Heads: 1x1 conv to 3 channels + sigmoid (frame); parallel 1x1 conv to 12 channels, linear (6 flows x 2).
- Reflection padding, biases everywhere, PyTorch's default initialisation. 3,072,139 parameters for the 2D paper net.

2D kernels: 5 down, 3 up, 1 skip. 3D kernels: (3, 5, 5) down, (3, 3, 3) up, (1, 1, 1) skip, stride (1, 2, 2): the
time axis is never downsampled.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from videofill.config import PAPER_CHANNELS


def _conv_bn_act(conv3d: bool, c_in: int, c_out: int, kernel, stride=1) -> nn.Sequential:
    """Reflection pad + conv (with bias) + BatchNorm + LeakyReLU(0.2)."""
    kernel = (kernel,) * (3 if conv3d else 2) if isinstance(kernel, int) else tuple(kernel)
    # Padding order for ReflectionPad: last dim first, (left, right) per dim.
    padding = []
    for k in reversed(kernel):
        padding += [(k - 1) // 2, (k - 1) // 2]
    pad = nn.ReflectionPad3d(padding) if conv3d else nn.ReflectionPad2d(padding)
    conv = (nn.Conv3d if conv3d else nn.Conv2d)(c_in, c_out, kernel, stride=stride, bias=True)
    bn = (nn.BatchNorm3d if conv3d else nn.BatchNorm2d)(c_out)
    layers = [conv, bn, nn.LeakyReLU(0.2, inplace=True)]
    return nn.Sequential(pad, *layers) if any(padding) else nn.Sequential(*layers)


class EncoderDecoder(nn.Module):
    """The DIP-style encoder-decoder with skips, in 2D (frames as a batch) or 3D (frames as a volume).

    Args:
        in_channels: channels of the noise input (1 in the paper).
        channels: encoder channels per level, top to bottom; the decoder mirrors them. Its length is the depth.
        skip_channels: channels of each skip connection.
        flow_channels: channels of the linear flow head (12 = 6 flows x 2); 0 for frames only.
        conv3d: use 3D convolutions (appendix A.2).

    Shapes:
        2D: input (N, 1, H, W) -> frames (N, 3, H, W) in [0, 1], flows (N, 12, H, W) (or None).
        3D: input (1, 1, N, H, W) -> frames (1, 3, N, H, W) in [0, 1]; no flow head.
        H and W must be multiples of ``2 ** depth`` (see :meth:`size_multiple`).
    """

    def __init__(
        self,
        in_channels: int = 1,
        channels: Sequence[int] = PAPER_CHANNELS,
        skip_channels: int = 4,
        flow_channels: int = 12,
        conv3d: bool = False,
    ) -> None:
        super().__init__()
        self.conv3d = conv3d
        self.depth = len(channels)
        k_down, k_up, k_skip = ((3, 5, 5), (3, 3, 3), (1, 1, 1)) if conv3d else (5, 3, 1)
        stride = (1, 2, 2) if conv3d else 2
        batch_norm = nn.BatchNorm3d if conv3d else nn.BatchNorm2d
        conv = nn.Conv3d if conv3d else nn.Conv2d
        self.down = nn.ModuleList()
        self.skip = nn.ModuleList()
        self.up = nn.ModuleList()
        level_inputs = [in_channels, *channels[:-1]]
        for level, (c_in, c) in enumerate(zip(level_inputs, channels)):
            self.down.append(nn.Sequential(_conv_bn_act(conv3d, c_in, c, k_down, stride), _conv_bn_act(conv3d, c, c, k_down)))
            self.skip.append(_conv_bn_act(conv3d, c_in, skip_channels, k_skip))
            from_below = channels[level + 1] if level + 1 < self.depth else c
            self.up.append(
                nn.Sequential(
                    batch_norm(skip_channels + from_below),
                    _conv_bn_act(conv3d, skip_channels + from_below, c, k_up),
                    _conv_bn_act(conv3d, c, c, 1),
                )
            )
        self.upsample = nn.Upsample(scale_factor=(1, 2, 2) if conv3d else 2, mode="nearest")
        self.image_head = conv(channels[0], 3, 1, bias=True)
        self.flow_head = conv(channels[0], flow_channels, 1, bias=True) if flow_channels else None

    @property
    def size_multiple(self) -> int:
        """H and W must be multiples of this (2 ** depth)."""
        return 2**self.depth

    @property
    def min_size(self) -> int:
        """Smallest H and W: the deepest 5x5 conv reflects 2 px, so the deepest map needs 3 px a side."""
        return 3 * 2**self.depth

    def _encode(self, noise: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """(skip outputs, encoder level outputs), one of each per level, top to bottom."""
        height, width = noise.shape[-2:]
        if height % self.size_multiple or width % self.size_multiple:
            raise ValueError(f"noise size {width}x{height} must be a multiple of {self.size_multiple} on each side")
        skips, levels = [], []
        x = noise
        for down, skip in zip(self.down, self.skip):
            skips.append(skip(x))
            x = down(x)  # spatial size halves
            levels.append(x)
        return skips, levels

    def encoder_features(self, noise: torch.Tensor) -> list[torch.Tensor]:
        """The encoder's feature maps, one per level, top to bottom (the last is the bottleneck).

        Level ``l`` (0-based) has ``channels[l]`` channels at 1 / 2 ** (l + 1) of the input size: one feature vector
        per ``2 ** (l + 1)``-px cell of the frame (the paper's section 5.1 reads 32 x 32 px patches, level 4). The maps
        are what the forward pass computes (BatchNorm in the model's current mode); no gradient is kept if the caller
        runs under ``torch.no_grad()``.

        Args:
            noise: 2D network: (N, 1, H, W); 3D network: (1, 1, N, H, W). H and W multiples of :attr:`size_multiple`.

        Returns:
            ``depth`` tensors: 2D (N, channels[l], H / 2 ** (l + 1), W / 2 ** (l + 1)); 3D (1, channels[l], N, ...).
        """
        return self._encode(noise)[1]

    def forward(self, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        skips, levels = self._encode(noise)
        x = levels[-1]
        for level in reversed(range(self.depth)):
            x = self.upsample(x)  # spatial size doubles
            x = self.up[level](torch.cat([skips[level], x], dim=1))
        frames = torch.sigmoid(self.image_head(x))  # (N, 3, H, W) or (1, 3, N, H, W)
        flows = self.flow_head(x) if self.flow_head is not None else None  # (N, 12, H, W)
        return frames, flows


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
