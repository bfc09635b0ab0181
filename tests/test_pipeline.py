import numpy as np
import pytest

from videofill.config import METHODS, get_preset
from videofill.errors import VideofillError
from videofill.pipeline import inpaint, inpaint_video, padded_size, prepare, working_size


@pytest.mark.parametrize("method", METHODS)
def test_each_method_end_to_end_on_the_tiny_case(tiny_case, method):
    frames, holes = tiny_case
    out = inpaint(frames, holes, get_preset("test").replace(method=method))
    assert out.shape == frames.shape and out.dtype == np.uint8
    assert np.array_equal(out[~holes], frames[~holes])  # known pixels unchanged, bit for bit
    assert (out[holes] != frames[holes]).mean() > 0.5  # hole pixels come from the network


def test_same_seed_same_result(tiny_case):
    frames, holes = tiny_case
    config = get_preset("test")
    assert np.array_equal(inpaint(frames, holes, config), inpaint(frames, holes, config))


def test_working_size_and_padding():
    config = get_preset("default")
    assert working_size(1920, 1080, config) == (432, 243)
    assert working_size(320, 176, config) == (320, 176)  # never upscales
    assert padded_size(432, 243, 6) == (448, 256)
    assert padded_size(96, 48, 6) == (192, 192)
    assert working_size(1000, 500, get_preset("paper")) == (384, 192)


def test_prepare_pads_with_hole(tiny_case):
    frames, holes = tiny_case
    prepared = prepare(frames, holes, get_preset("test").replace(max_side=90))
    assert prepared.size == (90, 45) and prepared.frames.shape[1:3] == (48, 96)
    assert prepared.holes[:, 45:, :].all() and prepared.holes[:, :, 90:].all()


def test_empty_masks_copy_the_input_through(tiny_case):
    frames, holes = tiny_case
    result = inpaint_video(frames, np.zeros_like(holes), get_preset("test"))
    assert np.array_equal(result.frames, frames) and "nothing to fill" in result.notes[0]


def test_bad_arrays_are_clear_errors(tiny_case):
    frames, holes = tiny_case
    with pytest.raises(VideofillError, match="11 masks but 12 frames"):
        inpaint(frames, holes[:-1], get_preset("test"))
    with pytest.raises(VideofillError, match="masks are"):
        inpaint(frames, holes[:, :-1], get_preset("test"))
    with pytest.raises(VideofillError, match="batch needs 5"):
        inpaint(frames[:3], holes[:3], get_preset("test"))
    with pytest.raises(VideofillError, match="unknown preset"):
        get_preset("fast-please")
