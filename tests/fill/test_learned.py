import numpy as np
import pytest

from videofill.fill.learned import crop_around, dip_fill


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
