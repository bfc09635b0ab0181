import numpy as np

from videofill.fill.patches import patch_synthesis


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
