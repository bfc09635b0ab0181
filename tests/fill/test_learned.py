import numpy as np
import pytest

from videofill.fill.learned import coarse_dip_fill, crop_around, dip_fill, smallest_side


def test_crop_around_holds_the_hole_and_its_margin_in_multiples():
    hole = np.zeros((100, 120), bool)
    hole[40:50, 5:15] = True
    rows, cols = crop_around(hole, margin=8, multiple=16)
    assert (rows.stop - rows.start) % 16 == 0 and (cols.stop - cols.start) % 16 == 0
    assert rows.start <= 32 and rows.stop >= 58 and cols.start == 0 and cols.stop >= 23  # clipped at the left edge
    assert (rows.stop - rows.start) == 32 and (cols.stop - cols.start) == 32  # 26 px and 23 px round up to 32
    with pytest.raises(ValueError):
        crop_around(np.zeros((8, 8), bool), 4, 16)


def test_dip_fill_learns_a_flat_colour_and_keeps_known_pixels():
    image = np.zeros((48, 48, 3), np.uint8)
    image[...] = (200, 60, 30)
    hole = np.zeros((48, 48), bool)
    hole[20:28, 20:28] = True
    given = image.copy()
    given[hole] = 0  # the hole's values are never looked at
    out = dip_fill(given, hole, steps=100, channels=(16, 32, 64), margin=8)
    assert np.array_equal(out[~hole], image[~hole])
    assert np.abs(out[hole].astype(int) - image[hole]).mean() < 5  # a prior trained on one colour outputs it


def test_crop_around_grows_to_the_least_side():
    hole = np.zeros((200, 200), bool)
    hole[0:3, 0:3] = True  # at the corner: 3 + 8 px of span
    rows, cols = crop_around(hole, margin=8, multiple=32, least=96)
    assert (rows.start, rows.stop, cols.start, cols.stop) == (0, 96, 0, 96)


def test_the_network_needs_three_pixels_at_its_deepest_level():
    assert smallest_side((16, 32, 64, 128, 128)) == 96  # 96 / 2 ** 5 = 3
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (96, 96, 3), dtype=np.uint8)
    hole = np.zeros((96, 96), bool)
    hole[0:4, 0:4] = True  # at the corner: the crop would be 64 px without the least side (a padding error)
    out = dip_fill(image, hole, steps=1)
    assert np.array_equal(out[~hole], image[~hole])
    with pytest.raises(ValueError, match="smaller than the network's 96 px"):
        dip_fill(image[:64, :64], hole[:64, :64], steps=1)


def test_dip_fill_runs_average_the_networks_of_successive_seeds():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)
    hole = np.zeros((48, 48), bool)
    hole[18:30, 16:28] = True
    small = {"steps": 5, "channels": (16, 32, 64), "margin": 8}
    one, two = (dip_fill(image, hole, seed=seed, **small).astype(float) for seed in (3, 4))
    both = dip_fill(image, hole, seed=3, runs=2, **small)
    assert np.array_equal(both[~hole], image[~hole])
    assert np.abs(both[hole] - (one[hole] + two[hole]) / 2).max() <= 1.0  # rounding of each single run: half a level
    assert not np.array_equal(one[hole], two[hole])  # the seeds differ
    with pytest.raises(ValueError, match="runs must be 1 or more"):
        dip_fill(image, hole, steps=1, runs=0)


def test_coarse_dip_fill_at_factor_one_is_dip_fill():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)
    hole = np.zeros((48, 48), bool)
    hole[18:30, 16:28] = True
    small = {"steps": 3, "channels": (16, 32, 64), "margin": 8, "seed": 2}
    assert np.array_equal(coarse_dip_fill(image, hole, factor=1, **small), dip_fill(image, hole, **small))
    with pytest.raises(ValueError, match="factor must be 1 or more"):
        coarse_dip_fill(image, hole, steps=1, factor=0)


def test_coarse_dip_fill_learns_a_flat_colour_at_half_size():
    image = np.zeros((96, 96, 3), np.uint8)
    image[...] = (30, 120, 220)
    hole = np.zeros((96, 96), bool)
    hole[40:56, 40:56] = True
    given = image.copy()
    given[hole] = 0  # never looked at
    out = coarse_dip_fill(given, hole, steps=100, factor=2, channels=(16, 32, 64), margin=8)
    assert np.array_equal(out[~hole], image[~hole])
    assert np.abs(out[hole].astype(int) - image[hole]).mean() < 5  # as dip_fill on the 48 px image


def test_coarse_dip_fill_pads_an_image_smaller_than_the_network_and_never_reads_the_hole():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 255, (40, 44, 3), dtype=np.uint8)
    hole = np.zeros((40, 44), bool)
    hole[15:25, 17:29] = True
    # at half size 20x22 px, below the 24 px of a network of three levels on both axes: padded, then cut back
    small = {"steps": 2, "factor": 2, "channels": (16, 32, 64), "margin": 8}
    out = coarse_dip_fill(image, hole, **small)
    assert out.shape == image.shape and np.array_equal(out[~hole], image[~hole])
    other = image.copy()
    other[hole] = rng.integers(0, 255, (int(hole.sum()), 3), dtype=np.uint8)
    assert np.array_equal(coarse_dip_fill(other, hole, **small), out)  # the hole's values make no difference
