import numpy as np
import torch

from videofill.fill.inference import centred_starts, composite, generate_video, to_uint8
from videofill.fill.networks import EncoderDecoder


def test_centred_starts_centre_each_frame():
    assert centred_starts(10, 5) == [0, 0, 0, 1, 2, 3, 4, 5, 5, 5]
    assert centred_starts(3, 5) == [0, 0, 0]


def test_generate_video_shape_and_range():
    model = EncoderDecoder(channels=(8, 16, 32))
    out = generate_video(model, torch.rand(7, 1, 24, 32) * 0.1, 5, torch.device("cpu"))
    assert out.shape == (7, 3, 24, 32) and 0 <= out.min() and out.max() <= 1
    assert to_uint8(out).shape == (7, 24, 32, 3)


def test_composite_keeps_known_pixels_exactly():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (3, 20, 30, 3), dtype=np.uint8)
    fill = rng.integers(0, 256, (3, 20, 30, 3), dtype=np.uint8)
    holes = np.zeros((3, 20, 30), dtype=bool)
    holes[:, 5:15, 10:20] = True
    for feather in (0, 3):
        out = composite(frames, holes, fill, feather)
        assert np.array_equal(out[~holes], frames[~holes])
    assert np.array_equal(composite(frames, holes, fill, 0)[holes], fill[holes])


def test_feather_matches_the_edge_colour_without_reading_hole_pixels():
    frames = np.full((1, 20, 30, 3), 100, dtype=np.uint8)
    holes = np.zeros((1, 20, 30), dtype=bool)
    holes[:, 5:15, 10:20] = True
    frames[holes] = 255  # the object: must never leak into the result
    fill = np.full_like(frames, 90)  # fill 10 levels too dark
    out = composite(frames, holes, fill, feather=4)
    assert abs(int(out[0, 5, 15, 0]) - 100) <= 3  # at the edge the offset is corrected
    assert out[0, 10, 15, 0] == 90  # deep inside the fill is untouched
    assert out[holes].max() < 110  # nothing of the object's 255
