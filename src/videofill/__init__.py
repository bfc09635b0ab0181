"""videofill: video inpainting by internal learning (Zhang et al., "An Internal Learning Approach to Video
Inpainting", ICCV 2019).

Conventions used across the package:

- frames: uint8 (T, H, W, 3) RGB at the API; float (T, 3, H, W) in [0, 1] inside torch code;
- masks: bool (T, H, W), True = hole (the region to fill); in files non-zero = hole, 255 when videofill writes them
  (:mod:`videofill.io.masks` names the convention);
- flows: pixels, x then y, ``F_ij`` maps frame i to frame j (:mod:`videofill.fill.flow`).

Layout: :mod:`videofill.io` (files in and out) -> :mod:`videofill.fill` (flow, propagation, the paper's networks and
training) -> :mod:`videofill.pipeline` (one clip in memory) -> :mod:`videofill.stream` (long clips in windows) ->
:mod:`videofill.files` (files in, files out); :mod:`videofill.eval` scores results; :mod:`videofill.cli` is the
command line.

Public API (everything else is internal)::

    import videofill
    filled = videofill.inpaint(frames, holes)                              # arrays, default preset
    filled = videofill.inpaint(frames, holes, videofill.get_preset("paper"))
    videofill.inpaint_file("in.mp4", "masks/", "out.mp4")                  # files, streamed, resumable

The names are imported on first use, so ``import videofill`` (and ``videofill --help``) does not load torch.
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0"

_EXPORTS = {
    "METHODS": "videofill.config",
    "PRESETS": "videofill.config",
    "InpaintConfig": "videofill.config",
    "get_preset": "videofill.config",
    "VideofillError": "videofill.errors",
    "DISFlow": "videofill.fill.flow",
    "FlowEstimator": "videofill.fill.flow",
    "estimate_flow": "videofill.fill.flow",
    "warp": "videofill.fill.flow",
    "EncoderDecoder": "videofill.fill.networks",
    "InpaintResult": "videofill.pipeline",
    "inpaint": "videofill.pipeline",
    "inpaint_video": "videofill.pipeline",
    "FileResult": "videofill.files",
    "inpaint_file": "videofill.files",
    "evaluate": "videofill.eval.report",
    "read_frames": "videofill.io.video",
    "read_masks": "videofill.io.masks",
    "write_masks": "videofill.io.masks",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'videofill' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
