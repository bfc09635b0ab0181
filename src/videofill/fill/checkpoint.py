"""Checkpoints that let a run resume after a crash, a kill -9 or a power cut.

A run folder holds ``checkpoint.pt`` (network, optimiser, position in the schedule, loss history, divergence-guard
state) and ``flows.pt`` (the input flows, computed once). Files are written to a temporary name and renamed, so a
crash while saving leaves the previous checkpoint intact. Everything is loaded with ``torch.load(weights_only=True)``,
which cannot run code. The noise maps, the initial weights and the batch order all follow from the seed, so they are
rebuilt rather than stored; the checkpoint records the configuration and refuses to resume a different one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from videofill.errors import VideofillError
from videofill.io.atomic import atomic_write

CHECKPOINT_NAME = "checkpoint.pt"
FLOWS_NAME = "flows.pt"


def atomic_save(obj: Any, path: Path) -> None:
    """torch.save to ``path`` through a temporary sibling and a rename (never a half-written file at ``path``)."""
    atomic_write(path, lambda handle: torch.save(obj, handle))


def safe_load(path: Path) -> Any:
    """Load a checkpoint file without allowing code execution; a damaged file is a VideofillError."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means the file is unusable
        raise VideofillError(f"cannot read checkpoint {path}: {err.__class__.__name__}") from None


class Checkpointer:
    """Saves and restores the training state of one run in ``run_dir``.

    Args:
        run_dir: folder of the run (created if missing).
        config: the run's resolved configuration as a dict; a resume with another one is refused.
        every_seconds: minimum wall time between two saves.
        every_steps: or save every this many steps (whichever comes first); None: by time only.
        same: tells whether a checkpoint's saved configuration gives this run's result (None: equal to ``config``);
            the pipeline passes :meth:`videofill.config.InpaintConfig.same_result`.
        hint: what to add to the refusal of a saved configuration (:meth:`videofill.config.InpaintConfig.resume_hint`).
    """

    def __init__(self, run_dir: str | Path, config: dict, every_seconds: float = 60.0, every_steps: int | None = None,
                 same: Callable[[dict], bool] | None = None, hint: Callable[[dict], str] | None = None):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.config = json.loads(json.dumps(config))  # plain JSON types, so it survives weights_only loading
        self.every_seconds, self.every_steps = every_seconds, every_steps
        self.same = same or (lambda saved: saved == self.config)
        self.hint = hint or (lambda saved: "")
        self._last_save = time.monotonic()

    @property
    def path(self) -> Path:
        return self.run_dir / CHECKPOINT_NAME

    def load(self) -> dict | None:
        """The saved state, or None when there is none. Raises VideofillError if it belongs to another config."""
        if not self.path.exists():
            return None
        state = safe_load(self.path)
        saved = state.get("config")
        if not isinstance(saved, dict) or not self.same(saved):
            raise VideofillError(
                f"checkpoint {self.path} was made with other settings; run without --resume to start over"
                + self.hint(saved)
            )
        return state

    def due(self, step: int) -> bool:
        by_steps = self.every_steps is not None and (step + 1) % self.every_steps == 0
        return by_steps or time.monotonic() - self._last_save >= self.every_seconds

    def save(self, state: dict) -> None:
        atomic_save({**state, "config": self.config}, self.path)
        self._last_save = time.monotonic()

    def save_flows(self, tensors: dict[str, torch.Tensor]) -> None:
        atomic_save(tensors, self.run_dir / FLOWS_NAME)

    def load_flows(self) -> dict[str, torch.Tensor] | None:
        path = self.run_dir / FLOWS_NAME
        return safe_load(path) if path.exists() else None
