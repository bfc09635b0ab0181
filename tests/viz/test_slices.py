"""Tests of videofill.viz.slices: a temporal slice is one row of every frame; the figure shows the row and the hole."""

import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.viz.slices import temporal_slice, temporal_slice_figure


def test_temporal_slice_stacks_one_row_of_every_frame():
    frames = np.random.default_rng(0).integers(0, 256, (5, 6, 7, 3), dtype=np.uint8)
    strip = temporal_slice(frames, 2)
    assert strip.shape == (5, 7, 3)
    for t in range(5):
        assert np.array_equal(strip[t], frames[t, 2])
    with pytest.raises(VideofillError, match="row 6"):
        temporal_slice(frames, 6)


def test_temporal_slice_figure(tiny_case):
    frames, holes = tiny_case
    count, height, width = holes.shape
    figure = temporal_slice_figure({"input": frames, "GT": frames}, row=24, holes=holes)
    assert figure.dtype == np.uint8 and figure.ndim == 3 and figure.std() > 0
    # sample frame + 2 slices side by side, each at least the frame's width, slices at least a frame tall
    assert figure.shape[1] >= 3 * width
    assert figure.shape[0] >= height
    yellow = np.all(figure == (255, 255, 0), axis=-1)
    assert yellow.sum() >= width - 2  # the row marker on the sample frame
    assert np.all(figure == (255, 0, 0), axis=-1).any()  # hole outline
    with pytest.raises(ValueError):
        temporal_slice_figure({"a": frames, "b": frames[:, :40]}, row=3)
