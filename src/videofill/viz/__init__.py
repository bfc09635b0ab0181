"""Visualisations: flow colour maps (Fig. 8), temporal slices (Fig. 5), hole outlines, comparisons, loss curves.

Everything takes and returns uint8 RGB numpy images ((H, W, 3) or (T, H, W, 3) frames); drawing uses OpenCV only
(no matplotlib needed). :func:`save_image` writes any of them to a PNG.

:mod:`~videofill.viz.canvas` holds the drawing basics (colours, labels, panels, :func:`save_image`);
:mod:`~videofill.viz.frames` draws one frame at a time (:func:`flow_to_color`, :func:`outline_holes`);
:mod:`~videofill.viz.slices` the temporal slices; :mod:`~videofill.viz.figures` the side-by-side videos and
comparison figures; :mod:`~videofill.viz.curves` the loss curves; :mod:`~videofill.viz.videos` reads videos and
writes the figures and videos of ``videofill viz``. The names below are the package's API.
"""

from videofill.viz.canvas import RED, YELLOW, save_image
from videofill.viz.curves import loss_curve_image, loss_curve_png
from videofill.viz.figures import comparison_figure, side_by_side
from videofill.viz.frames import flow_to_color, outline_holes
from videofill.viz.slices import temporal_slice, temporal_slice_figure
from videofill.viz.videos import flow_video, side_by_side_video, slice_figure_file

__all__ = [
    "RED", "YELLOW", "comparison_figure", "flow_to_color", "flow_video", "loss_curve_image", "loss_curve_png",
    "outline_holes", "save_image", "side_by_side", "side_by_side_video", "slice_figure_file", "temporal_slice",
    "temporal_slice_figure",
]  # fmt: skip
