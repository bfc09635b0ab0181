"""VGG16 up to relu3_3 for the perceptual loss L_p, loaded from torchvision's ``vgg16-397923af.pth``.

Without the file, :func:`load_vgg16` warns once and returns None, and training goes on without L_p.
"""

from __future__ import annotations

import os

import torch
import torch.nn as nn

from videofill.io.weights import (
    FrozenNetwork,
    find_weights,
    load_matching,
    read_state_dict,
    warn_missing,
)

VGG16_FILENAMES: tuple[str, ...] = ("vgg16-397923af.pth",)
IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)
_VGG16_CFG: tuple[int | str, ...] = (64, 64, "M", 128, 128, "M", 256, 256, 256)
_VGG16_TAPS: tuple[int, ...] = (3, 8, 15)  # indices of relu1_2, relu2_2, relu3_3 in `features`


def vgg_layers(config: tuple[int | str, ...]) -> nn.Sequential:
    """VGG's convolutional stack in torchvision's layout: an int is a 3x3 conv with that many outputs + ReLU, "M" a
    2x2 max pool; so torchvision's ``features.N`` weight names load into it."""
    layers: list[nn.Module] = []
    c_in = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(c_in, int(item), kernel_size=3, padding=1), nn.ReLU(inplace=False)]
            c_in = int(item)
    return nn.Sequential(*layers)



class VGG16Features(FrozenNetwork):
    """VGG16 ``features`` layers 0..15, returning relu1_2, relu2_2 and relu3_3 (the paper's perceptual layers).

    Parameter names are torchvision's (``features.0.weight``, ...), so its ``vgg16-397923af.pth`` loads directly.
    Parameters do not require gradients and the module stays in eval mode; gradients still flow to the input.

    Hole growth (:attr:`HOLE_GROWTH_PX`, used by :class:`videofill.fill.losses.PerceptualLoss`). A feature is free of the hole when its
    receptive field holds no hole pixel. Let layer k have stride s = 1, 2, 4 (:attr:`LAYER_STRIDES`), so feature
    position i covers the input block [s*i, s*i + s - 1]. Its receptive field in input pixels is:

    - relu1_2: [i - 2, i + 2] (two 3x3 convs).
    - relu2_2: [2i - 6, 2i + 7] (two 3x3 convs at stride 2 add 4 each side, two at stride 1 add 2), i.e. the input
      blocks of positions i - 3 .. i + 3.
    - relu3_3: [4i - 18, 4i + 21] (three 3x3 convs at stride 4 add 12, then 4, then 2; 40 px wide), i.e. the input
      blocks of positions i - 5 .. i + 5.

    So ``HOLE_GROWTH_PX = (2, 3, 5)`` are in **each layer's own pixels**, not input pixels: reduce the hole to the
    layer's grid with "any hole pixel in the block" (a max pool of size and stride s, floor rounding like VGG's
    pools), then grow it by that many layer pixels with a square (2r+1)^2 window. Growing at input resolution
    before the max-pool reduction needs (2, 6, 18) input pixels instead (:attr:`HOLE_GROWTH_INPUT_PX`). The
    numbers are tight: one pixel less lets some features outside the mask see the hole (the tests check both).
    """

    HOLE_GROWTH_PX: tuple[int, int, int] = (2, 3, 5)
    HOLE_GROWTH_INPUT_PX: tuple[int, int, int] = (2, 6, 18)
    LAYER_STRIDES: tuple[int, int, int] = (1, 2, 4)
    CHANNELS: tuple[int, int, int] = (64, 128, 256)

    def __init__(self) -> None:
        super().__init__()
        self.features = vgg_layers(_VGG16_CFG)  # indices 0..15, as torchvision
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self.freeze()

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Args: x: (B, 3, H, W) RGB in [0, 1]. Returns: [(B, 64, H, W), (B, 128, H/2, W/2), (B, 256, H/4, W/4)]
        (halvings rounded down), the relu1_2, relu2_2 and relu3_3 activations."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W) RGB frames, got {tuple(x.shape)}")
        h = (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)
        out = []
        for index, layer in enumerate(self.features):
            h = layer(h)
            if index in _VGG16_TAPS:
                out.append(h)
        return out



def load_vgg16(user_path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> VGG16Features | None:
    """Build :class:`VGG16Features` with pretrained weights, or return None (with a :class:`MissingWeightsWarning`).

    Args:
        user_path: a torchvision-format VGG16 state dict (keys ``features.N.weight``; bare ``N.weight`` keys of a
            ``vgg16().features`` state dict are accepted too); if None, ``vgg16-397923af.pth`` in the hub cache.
        device: where to put the module.

    Raises:
        VideofillError: ``user_path`` does not exist, cannot be read, or lacks layers 0..15.
    """
    path = find_weights(VGG16_FILENAMES, user_path)
    if path is None:
        warn_missing("VGG16", VGG16_FILENAMES, "the perceptual loss")
        return None
    state = read_state_dict(path)
    if not any(k.startswith("features.") for k in state):
        state = {f"features.{k}": v for k, v in state.items()}
    model = VGG16Features()
    load_matching(model, state, path)
    return model.to(device)

