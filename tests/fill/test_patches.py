import numpy as np

from videofill.fill.patches import COARSEST_PATCHES, PATCH, _pyramid_levels, patch_synthesis


def _stripes(height, width, period):
    """Vertical stripes of ``period`` px (a sine in x), uint8 (H, W, 3)."""
    grey = 128 + 90 * np.sin(2 * np.pi * np.arange(width)[None, :] / period) + 0 * np.arange(height)[:, None]
    return np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def test_patch_synthesis_keeps_known_pixels_and_returns_matches():
    image = _stripes(40, 48, 6)
    hole = np.zeros((40, 48), bool)
    hole[15:25, 18:30] = True
    out, (my, mx) = patch_synthesis(image, hole, return_matches=True, seed=1)
    assert np.array_equal(out[~hole], image[~hole])
    assert (my[hole] >= 0).all() and (mx[hole] >= 0).all()
    assert np.abs(out[hole].astype(int) - image[hole].astype(int)).mean() < 20  # periodic: the stripes line up


def test_pyramid_stops_while_the_coarsest_scale_keeps_enough_patches():
    # a disc of radius 40 px needs four halvings to be about a patch thick (40 -> 20 -> 10 -> 5 -> 2.5 <= 3.5);
    # a 240 px short side allows two: 240 / 4 = 60 >= 8 * 7 = 56, 240 / 8 = 30 < 56
    assert COARSEST_PATCHES * PATCH == 56
    yy, xx = np.mgrid[:240, :432]
    disc = (yy - 120) ** 2 + (xx - 216) ** 2 <= 40**2
    assert _pyramid_levels(disc, PATCH, disc.shape) == 2
    big = np.zeros((1920, 1920), bool)
    big[960 - 40 : 960 + 41, 960 - 40 : 960 + 41] = disc[80:161, 176:257]
    assert _pyramid_levels(big, PATCH, big.shape) == 4  # 1920 / 32 = 60 >= 56 still: the thickness decides
