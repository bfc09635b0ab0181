import cv2
import numpy as np
import pytest

from videofill.fill.exemplar import GUIDE_SIGMA_PX, GUIDE_WEIGHT, exemplar_fill


def _box(height, width, top, left, size):
    hole = np.zeros((height, width), bool)
    hole[top:top + size, left:left + size] = True
    return hole


def test_a_periodic_texture_under_a_box_comes_back_exactly():
    # stripes of period 6 in x and a dot grid of period 5 in y: every hole patch has an exact twin outside
    y, x = np.mgrid[:48, :60]
    grey = np.where(x % 6 < 3, 40, 200) + np.where(y % 5 == 0, 30, 0)
    truth = np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)
    hole = _box(48, 60, 17, 21, 14)
    image = truth.copy()
    image[hole] = 0
    out = exemplar_fill(image, hole)
    assert (out == truth).all()


def test_an_edge_that_meets_the_hole_is_carried_straight_across():
    image = np.full((40, 40, 3), 30, np.uint8)
    image[:, 20:] = 220  # a vertical edge at x = 20 runs through the hole
    truth = image.copy()
    hole = _box(40, 40, 12, 10, 18)
    image[hole] = 128
    out = exemplar_fill(image, hole)
    assert (out == truth).all()


def test_pixels_come_only_from_the_source():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 100, (40, 50, 3), dtype=np.uint8)
    image[:, 30:] = rng.integers(150, 256, (40, 20, 3), dtype=np.uint8)
    hole = _box(40, 50, 14, 4, 12)
    source = np.zeros((40, 50), bool)
    source[:, 30:] = True  # only the bright side may be copied
    out = exemplar_fill(image, hole, source=source)
    assert (out[hole] >= 150).all()
    assert (out[~hole] == image[~hole]).all()


def test_a_source_thinner_than_a_patch_falls_back_to_neighbour_means():
    image = np.full((12, 12, 3), 90, np.uint8)
    hole = np.zeros((12, 12), bool)
    hole[:, 2:] = True  # two known columns: no 9 x 9 patch to copy
    out = exemplar_fill(image, hole)
    assert (out == 90).all()


def test_no_hole_returns_a_copy_and_a_bad_patch_is_refused():
    image = np.zeros((10, 10, 3), np.uint8)
    hole = np.zeros((10, 10), bool)
    out = exemplar_fill(image, hole)
    assert out is not image and (out == image).all()
    with pytest.raises(ValueError, match="odd"):
        exemplar_fill(image, hole, patch=8)
    with pytest.raises(ValueError, match="whole image"):
        exemplar_fill(image, np.ones((10, 10), bool))


def test_holes_at_the_image_border_and_corner_are_filled_from_whole_patches():
    y, x = np.mgrid[:40, :48]
    truth = np.repeat(np.where((x + 2 * y) % 8 < 4, 50, 210)[..., None], 3, axis=2).astype(np.uint8)
    hole = np.zeros((40, 48), bool)
    hole[:6, :7] = True  # the top-left corner
    hole[18:26, 42:] = True  # the right edge
    image = np.where(hole[..., None], 0, truth).astype(np.uint8)
    assert (exemplar_fill(image, hole) == truth).all()


def test_a_guided_copy_minimises_the_known_pixels_difference_plus_the_blurred_guides():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (24, 30, 3), dtype=np.uint8)
    guide = rng.integers(0, 256, (24, 30, 3), dtype=np.uint8)
    hole = np.zeros((24, 30), bool)
    hole[12, 15] = True  # one pixel: one copy, centred on it
    out = exemplar_fill(image, hole, patch=5, guide=guide)
    # computed another way: every whole 5 x 5 patch off the hole, its cost summed by hand
    blurred_source = cv2.GaussianBlur(np.where(hole[..., None], guide, image).astype(np.float32), (0, 0), GUIDE_SIGMA_PX)
    blurred_guide = cv2.GaussianBlur(guide.astype(np.float32), (0, 0), GUIDE_SIGMA_PX)
    target = image[10:15, 13:18].astype(np.float64)
    known = ~hole[10:15, 13:18]
    costs = {}
    for y in range(2, 22):
        for x in range(2, 28):
            if hole[y - 2:y + 3, x - 2:x + 3].any():
                continue
            candidate = image[y - 2:y + 3, x - 2:x + 3].astype(np.float64)
            matched = np.square(candidate - target)[known].sum()
            guided = np.square(blurred_source[y, x].astype(np.float64) - blurred_guide[12, 15]).sum()
            costs[(y, x)] = matched + GUIDE_WEIGHT * guided
    y, x = min(costs, key=costs.get)
    assert (out[12, 15] == image[y, x]).all()


def test_the_guide_decides_between_copies_that_match_the_edge_alike():
    image = np.full((24, 40, 3), 128, np.uint8)
    image[6, 8], image[6, 30] = 0, 255  # two flat islands whose centres differ: dark and bright
    hole = np.zeros((24, 40), bool)
    hole[16, 20] = True  # in the flat part: every flat patch matches its edge exactly
    guide = image.copy()
    guide[16, 20] = 255  # a smooth fill that says "bright"
    assert (exemplar_fill(image, hole, patch=5)[16, 20] == 128).all()  # the first exact match: flat grey
    assert (exemplar_fill(image, hole, patch=5, guide=guide)[16, 20] == 255).all()  # the bright island's centre
