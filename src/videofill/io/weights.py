"""Finding and reading pretrained weight files; none ship with videofill and none are downloaded.

A loader looks for the weight file in the path the user gives, else in the torch hub cache
(``torch.hub.get_dir()/checkpoints/``, i.e. ``$TORCH_HOME/hub/checkpoints``), under its standard name. When there is
no file, it warns once with :class:`MissingWeightsWarning` and returns ``None``; callers fall back. The networks
(:mod:`videofill.fill.vgg`, :mod:`videofill.eval.inception`) are written in plain torch with torchvision's parameter
names, so the files load without torchvision.
"""

from __future__ import annotations

import os
import pathlib
import warnings
from typing import Sequence

import torch
import torch.nn as nn

from videofill.errors import VideofillError


class MissingWeightsWarning(UserWarning):
    """A pretrained network was asked for but its weight file is not there; the feature that needs it is skipped."""



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



def warn_missing(network: str, filenames: Sequence[str], purpose: str) -> None:
    # Same text for the same folder, so Python's default warning filter shows it once per process.
    warnings.warn(
        f"no {network} weights ({' or '.join(filenames)}) in {hub_checkpoint_dir()} and no path given; "
        f"{purpose} is skipped",
        MissingWeightsWarning,
        stacklevel=3,
    )



def read_state_dict(path: pathlib.Path) -> dict[str, torch.Tensor]:
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



def load_matching(module: nn.Module, state: dict[str, torch.Tensor], path: pathlib.Path) -> None:
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



class FrozenNetwork(nn.Module):
    """A pretrained feature extractor: no parameter needs a gradient and the module stays in eval mode."""

    def freeze(self) -> None:
        for p in self.parameters():
            p.requires_grad_(False)
        super().train(False)

    def train(self, mode: bool = True) -> "FrozenNetwork":
        """No-op: a frozen extractor stays in eval mode even when a parent module is put in training mode."""
        return self

