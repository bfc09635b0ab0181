"""The two networks that need pretrained weights: VGG16 (perceptual loss) and InceptionV3 (FID).

No weights ship with videofill and none are downloaded. A loader looks for the weight file in the path the user
gives, else in the torch hub cache (``torch.hub.get_dir()/checkpoints/``, i.e. ``$TORCH_HOME/hub/checkpoints``),
under its standard name:

- VGG16: ``vgg16-397923af.pth`` (torchvision's ``vgg16`` ImageNet weights).
- InceptionV3: ``pt_inception-2015-12-05-6726825d.pth`` (pytorch-fid's port of the TensorFlow FID network) or,
  second choice, ``inception_v3_google-0cc3c7bd.pth`` (torchvision's ``inception_v3``).

When there is no file, the loader warns once with :class:`MissingWeightsWarning` and returns ``None``; callers fall
back (no perceptual loss, no FID). The architectures are written here in plain torch with torchvision's parameter
names, so both file formats load without torchvision.

Inception variants. The two Inception files share the parameter names but not the network: the FID network pools
differently in the Mixed_5b-d (A), Mixed_6b-e (C) and Mixed_7b (E) blocks (average pools that ignore the zero
padding, ``count_include_pad=False``) and in Mixed_7c (a 3x3 max pool instead of the average pool).
:func:`load_inception` picks the variant from the file: a 1008-way ``fc`` layer means the FID file. Only the FID file
gives FID values comparable with other papers and tools (pytorch-fid, the original TensorFlow code); the
torchvision weights give a Fréchet distance in a different feature space. :attr:`InceptionFeatures.variant` says
which one was used; record it next to any FID you report.
"""

from __future__ import annotations

import os
import pathlib
import warnings
from typing import Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from videofill.errors import VideofillError

VGG16_FILENAMES: tuple[str, ...] = ("vgg16-397923af.pth",)
INCEPTION_FILENAMES: tuple[str, ...] = ("pt_inception-2015-12-05-6726825d.pth", "inception_v3_google-0cc3c7bd.pth")
IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


class MissingWeightsWarning(UserWarning):
    """A pretrained network was asked for but its weight file is not there; the feature that needs it is skipped."""


# ----------------------------------------------------------------------------------------------------------------
# Finding and reading weight files


def hub_checkpoint_dir() -> pathlib.Path:
    """The torch hub checkpoint folder, ``torch.hub.get_dir()/checkpoints`` (follows ``$TORCH_HOME`` at call time)."""
    return pathlib.Path(torch.hub.get_dir()) / "checkpoints"


def find_weights(filenames: Sequence[str], user_path: str | os.PathLike | None) -> pathlib.Path | None:
    """Locate a weight file.

    Args:
        filenames: standard file names to look for in the hub checkpoint folder, in order of preference.
        user_path: a file the user named; when given, it is the answer and the hub folder is not searched.

    Returns:
        ``user_path`` if given; else the first of ``filenames`` present in :func:`hub_checkpoint_dir`; else ``None``.

    Raises:
        VideofillError: ``user_path`` is given but is not an existing file.
    """
    if user_path is not None:
        path = pathlib.Path(user_path).expanduser()
        if not path.is_file():
            raise VideofillError(f"weight file not found: {path}")
        return path
    folder = hub_checkpoint_dir()
    for name in filenames:
        if (folder / name).is_file():
            return folder / name
    return None


def _warn_missing(network: str, filenames: Sequence[str], purpose: str) -> None:
    # Same text for the same folder, so Python's default warning filter shows it once per process.
    warnings.warn(
        f"no {network} weights ({' or '.join(filenames)}) in {hub_checkpoint_dir()} and no path given; "
        f"{purpose} is skipped",
        MissingWeightsWarning,
        stacklevel=3,
    )


def _read_state_dict(path: pathlib.Path) -> dict[str, torch.Tensor]:
    """Load a state dict (plain, or wrapped under ``"state_dict"``) on the CPU; VideofillError if unreadable."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # a corrupt or foreign file: torch raises many types
        raise VideofillError(f"cannot read weight file {path}: {type(err).__name__}: {err}") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise VideofillError(f"weight file {path} does not hold a state dict of tensors")
    return state


def _load_matching(module: nn.Module, state: dict[str, torch.Tensor], path: pathlib.Path) -> None:
    """Copy into ``module`` the entries of ``state`` it has; ignore the rest (classifier, aux head, deeper layers).

    Raises:
        VideofillError: a parameter or buffer of ``module`` is missing from ``state`` or has another shape.
    """
    own = module.state_dict()
    missing = [k for k in own if k not in state and not k.endswith("num_batches_tracked")]
    if missing:
        raise VideofillError(f"weight file {path} lacks {len(missing)} expected entries, e.g. {missing[0]!r}")
    wrong = [k for k in own if k in state and state[k].shape != own[k].shape]
    if wrong:
        k = wrong[0]
        got, expected = tuple(state[k].shape), tuple(own[k].shape)
        raise VideofillError(f"weight file {path}: {k!r} has shape {got}, expected {expected}")
    module.load_state_dict({k: state[k] for k in own if k in state}, strict=False)


class _Frozen(nn.Module):
    """A pretrained feature extractor: no parameter needs a gradient and the module stays in eval mode."""

    def freeze(self) -> None:
        for p in self.parameters():
            p.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> "_Frozen":
        """No-op: a frozen extractor stays in eval mode even when a parent module is put in training mode."""
        return self


# ----------------------------------------------------------------------------------------------------------------
# VGG16 up to relu3_3

# torchvision's vgg16().features, indices 0..15: (conv out channels or "M" for a 2x2 max pool).
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


class VGG16Features(_Frozen):
    """VGG16 ``features`` layers 0..15, returning relu1_2, relu2_2 and relu3_3 (the paper's perceptual layers).

    Parameter names are torchvision's (``features.0.weight``, ...), so its ``vgg16-397923af.pth`` loads directly.
    Parameters do not require gradients and the module stays in eval mode; gradients still flow to the input.

    Hole growth (:attr:`HOLE_GROWTH_PX`, used by :func:`vgg_layer_holes`). A feature is free of the hole when its
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


def vgg_layer_holes(holes: torch.Tensor) -> list[torch.Tensor]:
    """The hole as seen by each VGG16 perceptual layer: features outside it do not see any hole pixel.

    Args:
        holes: (B, 1, H, W) bool (True = hole) or float in {0, 1}, at the resolution fed to :class:`VGG16Features`.

    Returns:
        three bool tensors (B, 1, H, W), (B, 1, H/2, W/2), (B, 1, H/4, W/4) (rounded down like VGG's pools), True
        where the layer's feature may depend on a hole pixel: the hole max-pooled to the layer's stride, then grown
        by ``VGG16Features.HOLE_GROWTH_PX`` layer pixels (see :class:`VGG16Features`).
    """
    if holes.ndim != 4 or holes.shape[1] != 1:
        raise ValueError(f"expected (B, 1, H, W) holes, got {tuple(holes.shape)}")
    h = holes.float()
    out = []
    for stride, grow in zip(VGG16Features.LAYER_STRIDES, VGG16Features.HOLE_GROWTH_PX):
        reduced = F.max_pool2d(h, stride, stride) if stride > 1 else h  # any hole pixel in the block
        out.append(F.max_pool2d(reduced, 2 * grow + 1, 1, grow) > 0.5)  # square growth by `grow` layer pixels
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
        _warn_missing("VGG16", VGG16_FILENAMES, "the perceptual loss")
        return None
    state = _read_state_dict(path)
    if not any(k.startswith("features.") for k in state):
        state = {f"features.{k}": v for k, v in state.items()}
    model = VGG16Features()
    _load_matching(model, state, path)
    return model.to(device)


# ----------------------------------------------------------------------------------------------------------------
# InceptionV3 up to the 2048-d average pool


class _Conv(nn.Module):
    """torchvision's BasicConv2d: conv without bias, BatchNorm (eps 1e-3), ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel, stride=1, padding=0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


def _pool3x3(x: torch.Tensor, kind: str) -> torch.Tensor:
    """The stride-1 3x3 pool of a pool branch: "avg" (torchvision), "avg_no_pad" (FID: padding not counted), "max"."""
    if kind == "max":
        return F.max_pool2d(x, 3, 1, 1)
    return F.avg_pool2d(x, 3, 1, 1, count_include_pad=(kind == "avg"))


class _InceptionA(nn.Module):
    def __init__(self, c_in: int, pool_features: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = _Conv(c_in, 64, 1)
        self.branch5x5_1 = _Conv(c_in, 48, 1)
        self.branch5x5_2 = _Conv(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = _Conv(c_in, 64, 1)
        self.branch3x3dbl_2 = _Conv(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = _Conv(96, 96, 3, padding=1)
        self.branch_pool = _Conv(c_in, pool_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(_pool3x3(x, self.pool))
        return torch.cat([self.branch1x1(x), b5, b3, bp], 1)  # (B, 224 + pool_features, h, w)


class _InceptionB(nn.Module):
    def __init__(self, c_in: int) -> None:
        super().__init__()
        self.branch3x3 = _Conv(c_in, 384, 3, stride=2)
        self.branch3x3dbl_1 = _Conv(c_in, 64, 1)
        self.branch3x3dbl_2 = _Conv(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = _Conv(96, 96, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), b3, F.max_pool2d(x, 3, 2)], 1)  # (B, 480 + c_in, h/2, w/2)


class _InceptionC(nn.Module):
    def __init__(self, c_in: int, c7: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = _Conv(c_in, 192, 1)
        self.branch7x7_1 = _Conv(c_in, c7, 1)
        self.branch7x7_2 = _Conv(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = _Conv(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = _Conv(c_in, c7, 1)
        self.branch7x7dbl_2 = _Conv(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = _Conv(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = _Conv(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = _Conv(c7, 192, (1, 7), padding=(0, 3))
        self.branch_pool = _Conv(c_in, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = self.branch7x7dbl_1(x)
        d = self.branch7x7dbl_5(self.branch7x7dbl_4(self.branch7x7dbl_3(self.branch7x7dbl_2(d))))
        bp = self.branch_pool(_pool3x3(x, self.pool))
        return torch.cat([self.branch1x1(x), b7, d, bp], 1)  # (B, 768, h, w)


class _InceptionD(nn.Module):
    def __init__(self, c_in: int) -> None:
        super().__init__()
        self.branch3x3_1 = _Conv(c_in, 192, 1)
        self.branch3x3_2 = _Conv(192, 320, 3, stride=2)
        self.branch7x7x3_1 = _Conv(c_in, 192, 1)
        self.branch7x7x3_2 = _Conv(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = _Conv(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = _Conv(192, 192, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([b3, b7, F.max_pool2d(x, 3, 2)], 1)  # (B, 512 + c_in, h/2, w/2)


class _InceptionE(nn.Module):
    def __init__(self, c_in: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = _Conv(c_in, 320, 1)
        self.branch3x3_1 = _Conv(c_in, 384, 1)
        self.branch3x3_2a = _Conv(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = _Conv(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = _Conv(c_in, 448, 1)
        self.branch3x3dbl_2 = _Conv(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = _Conv(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = _Conv(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = _Conv(c_in, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(s), self.branch3x3_2b(s)], 1)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1)
        bp = self.branch_pool(_pool3x3(x, self.pool))
        return torch.cat([self.branch1x1(x), b3, bd, bp], 1)  # (B, 2048, h, w)


class InceptionFeatures(_Frozen):
    """InceptionV3 up to the global average pool: the 2048-d features FID is computed on.

    Parameter names are torchvision's ``Inception3`` ones (``Conv2d_1a_3x3.conv.weight``, ``Mixed_5b.branch1x1...``);
    the auxiliary classifier and ``fc`` are left out. Parameters do not require gradients; the module stays in eval
    mode (BatchNorm uses the stored statistics).

    Args:
        variant: "fid" for pytorch-fid's ``pt_inception-2015-12-05-6726825d.pth`` (the TensorFlow FID network; see
            the module docstring for its pooling differences) or "torchvision" for ``inception_v3_google-*.pth``.

    Input normalisation: both weight files expect RGB scaled to [-1, 1] (torchvision's ``transform_input`` maps
    ImageNet-normalised input to exactly that), so :meth:`forward` feeds ``2 x - 1``.
    """

    def __init__(self, variant: str = "fid") -> None:
        super().__init__()
        if variant not in ("fid", "torchvision"):
            raise ValueError(f"expected variant 'fid' or 'torchvision', got {variant!r}")
        self.variant = variant
        avg = "avg_no_pad" if variant == "fid" else "avg"
        self.Conv2d_1a_3x3 = _Conv(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = _Conv(32, 32, 3)
        self.Conv2d_2b_3x3 = _Conv(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = _Conv(64, 80, 1)
        self.Conv2d_4a_3x3 = _Conv(80, 192, 3)
        self.Mixed_5b = _InceptionA(192, 32, avg)
        self.Mixed_5c = _InceptionA(256, 64, avg)
        self.Mixed_5d = _InceptionA(288, 64, avg)
        self.Mixed_6a = _InceptionB(288)
        self.Mixed_6b = _InceptionC(768, 128, avg)
        self.Mixed_6c = _InceptionC(768, 160, avg)
        self.Mixed_6d = _InceptionC(768, 160, avg)
        self.Mixed_6e = _InceptionC(768, 192, avg)
        self.Mixed_7a = _InceptionD(768)
        self.Mixed_7b = _InceptionE(1280, avg)
        self.Mixed_7c = _InceptionE(2048, "max" if variant == "fid" else "avg")
        self.freeze()

    @staticmethod
    def preprocess(x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) RGB in [0, 1] -> (B, 3, 299, 299) in [-1, 1]: bilinear resize (``align_corners=False``, no
        antialiasing, as pytorch-fid), then ``2 x - 1``. Raises ValueError for another shape."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W) RGB frames, got {tuple(x.shape)}")
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        return 2 * x - 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x: (B, 3, H, W) RGB in [0, 1], any size. Returns: (B, 2048) pooled features.

        The input goes through :meth:`preprocess` first."""
        x = self.preprocess(x)  # (B, 3, 299, 299) in [-1, 1]
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))  # (B, 64, 147, 147)
        x = F.max_pool2d(x, 3, 2)  # (B, 64, 73, 73)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))  # (B, 192, 71, 71)
        x = F.max_pool2d(x, 3, 2)  # (B, 192, 35, 35)
        x = self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x)))  # (B, 288, 35, 35)
        x = self.Mixed_6a(x)  # (B, 768, 17, 17)
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(x))))  # (B, 768, 17, 17)
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))  # (B, 2048, 8, 8)
        return x.mean(dim=(2, 3))  # (B, 2048)


def inception_variant(state: dict[str, torch.Tensor]) -> str:
    """"fid" if the state dict has pytorch-fid's 1008-way ``fc`` layer, else "torchvision"."""
    fc = state.get("fc.weight")
    return "fid" if fc is not None and fc.shape[0] == 1008 else "torchvision"


def load_inception(
    user_path: str | os.PathLike | None = None, device: str | torch.device = "cpu"
) -> InceptionFeatures | None:
    """Build :class:`InceptionFeatures` with pretrained weights, or return None (with a :class:`MissingWeightsWarning`).

    Args:
        user_path: an Inception3 state dict (pytorch-fid or torchvision format); if None, the hub cache is searched
            for ``pt_inception-2015-12-05-6726825d.pth``, then ``inception_v3_google-0cc3c7bd.pth``.
        device: where to put the module.

    The variant (see :class:`InceptionFeatures`) is chosen by :func:`inception_variant`.

    Raises:
        VideofillError: ``user_path`` does not exist, cannot be read, or lacks a layer.
    """
    path = find_weights(INCEPTION_FILENAMES, user_path)
    if path is None:
        _warn_missing("InceptionV3", INCEPTION_FILENAMES, "FID")
        return None
    state = _read_state_dict(path)
    model = InceptionFeatures(inception_variant(state))
    _load_matching(model, state, path)
    return model.to(device)


# ----------------------------------------------------------------------------------------------------------------
# Fréchet distance and FID


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets.

    ``|mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))`` with sample means mu and unbiased sample
    covariances S (divisor N - 1), as in the FID paper and pytorch-fid.

    The trace of the matrix square root is computed exactly, without ``scipy.linalg.sqrtm``: with centred
    features A (N, D) and B (M, D), S_a S_b = A^T A B^T B / ((N-1)(M-1)) has the same non-zero eigenvalues as
    (A B^T)(A B^T)^T, so ``tr((S_a S_b)^(1/2)) = ||A B^T||_* / sqrt((N-1)(M-1))`` (nuclear norm: the sum of singular
    values), evaluated as ``||R_a R_b^T||_*`` on the R factors of QR decompositions of A and B (at most D x D).
    It equals the trace of sqrtm's principal root (the tests compare the two), needs no epsilon on the diagonal
    and yields no imaginary parts, even when N < D and the covariances are singular (always the case for the
    frames of one video with 2048-d features); and it takes milliseconds where sqrtm of a 2048 x 2048 matrix takes
    ~14 s on two CPU cores.

    Args:
        feats_a: (N, D) features, N >= 2, finite.
        feats_b: (M, D) features, M >= 2, same D.

    Returns:
        the distance (>= 0 up to rounding; tiny negative rounding is clipped to 0).

    Raises:
        ValueError: wrong shapes, fewer than 2 rows, or non-finite values.
    """
    a = np.asarray(feats_a, dtype=np.float64)
    b = np.asarray(feats_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"expected (N, D) and (M, D) features, got {a.shape} and {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"need at least 2 samples per set for a covariance, got {len(a)} and {len(b)}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("features contain NaN or infinity")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    ca, cb = a - mu_a, b - mu_b  # (N, D), (M, D)
    ra = np.linalg.qr(ca, mode="r")  # (min(N, D), D), ca = Q ra
    rb = np.linalg.qr(cb, mode="r")  # (min(M, D), D)
    scale = np.sqrt((len(a) - 1) * (len(b) - 1))
    trace_sqrt = np.linalg.svd(ra @ rb.T, compute_uv=False).sum() / scale
    trace_a = np.einsum("nd,nd->", ca, ca) / (len(a) - 1)
    trace_b = np.einsum("nd,nd->", cb, cb) / (len(b) - 1)
    distance = float(np.sum((mu_a - mu_b) ** 2) + trace_a + trace_b - 2.0 * trace_sqrt)
    return max(distance, 0.0)


def inception_features(model: InceptionFeatures, frames: np.ndarray, batch_size: int = 8) -> np.ndarray:
    """Inception pool features of frames.

    Args:
        model: from :func:`load_inception`; its device is used.
        frames: (T, H, W, 3) uint8 RGB.
        batch_size: frames per forward pass.

    Returns:
        (T, 2048) float64 features.

    Raises:
        ValueError: ``frames`` is not (T, H, W, 3) uint8 with T >= 1, or ``batch_size`` < 1.
    """
    if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ValueError(f"expected (T, H, W, 3) uint8 RGB frames, got {frames.shape} {frames.dtype}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for start in range(0, len(frames), batch_size):
            chunk = torch.from_numpy(np.ascontiguousarray(frames[start : start + batch_size])).to(device)
            x = chunk.permute(0, 3, 1, 2).float() / 255.0  # (b, H, W, 3) uint8 -> (b, 3, H, W) in [0, 1]
            out.append(model(x).double().cpu().numpy())
    return np.concatenate(out)


def fid(result_frames: np.ndarray, reference_frames: np.ndarray, model: InceptionFeatures) -> float:
    """FID between the frames of a result video and the ground-truth frames of the same video.

    What is computed: the Fréchet distance (:func:`frechet_distance`) between the Inception pool features of the
    set of result frames and those of the set of reference frames, each set summarised by its mean and covariance.

    Why not the paper's wording ("FID of each inpainted frame against the full collection of ground-truth frames,
    aggregated over the video"): one frame has no covariance. Treating it as zero turns the per-frame score into
    ``|f_i - mu_ref|^2 + tr(S_ref)``, a distance to the mean plus a constant, which is not FID and is dominated by
    the reference spread. The set-to-set distance is the standard FID restricted to one video: the aggregation
    over the video happens by pooling all result frames into one Gaussian before comparing.

    Caveats: with T frames and 2048-d features both covariances have rank <= T - 1, so the value depends on T and
    is comparable only between results on the same video (same frames and frame count) and the same weights
    (``model.variant``); it is not comparable with the numbers in the paper's Table 1.

    Args:
        result_frames: (T, H, W, 3) uint8 RGB, T >= 2.
        reference_frames: (T', H', W', 3) uint8 RGB, T' >= 2 (sizes need not match; frames are resized to 299).
        model: from :func:`load_inception`.

    Raises:
        ValueError: bad frame arrays or fewer than 2 frames in a set.
    """
    for name, frames in (("result", result_frames), ("reference", reference_frames)):
        if len(frames) < 2:
            raise ValueError(f"FID needs at least 2 {name} frames for a covariance, got {len(frames)}")
    return frechet_distance(inception_features(model, result_frames), inception_features(model, reference_frames))
