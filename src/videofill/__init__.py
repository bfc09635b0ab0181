"""videofill: video inpainting by internal learning (Zhang et al., "An Internal Learning Approach to Video
Inpainting", ICCV 2019).

Conventions used across the package:

- frames: uint8 (T, H, W, 3) RGB at the API; float (T, 3, H, W) in [0, 1] inside torch code;
- masks: bool (T, H, W), True = hole (the region to fill); see :mod:`videofill.io.masks` for files (255 = hole);
- flows: pixels, x then y, ``F_ij`` maps frame i to frame j; see :mod:`videofill.fill.flow`.

Public API (everything else is internal)::

    import videofill
    filled = videofill.inpaint(frames, holes)                       # default preset
    filled = videofill.inpaint(frames, holes, videofill.get_preset("paper"))
"""

__version__ = "0.1.0"

from videofill.config import METHODS, PRESETS, InpaintConfig, get_preset
from videofill.errors import VideofillError
from videofill.fill.flow import DISFlow, FlowEstimator, estimate_flow, warp
from videofill.fill.networks import EncoderDecoder
from videofill.pipeline import InpaintResult, inpaint, inpaint_video

__all__ = [
    "DISFlow",
    "EncoderDecoder",
    "FlowEstimator",
    "InpaintConfig",
    "InpaintResult",
    "METHODS",
    "PRESETS",
    "VideofillError",
    "estimate_flow",
    "get_preset",
    "inpaint",
    "inpaint_video",
    "warp",
]
