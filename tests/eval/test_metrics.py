"""Tests of videofill.eval.metrics: each value is checked against a closed form or an independent computation."""

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from videofill.eval.metrics import (
    PSNR_CAP_DB,
    complexity,
    consistency,
    hole_sharpness_ratio,
    psnr,
    ssim,
)
from videofill.fill.propagate import telea_fill


def _texture(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


# ---------------------------------------------------------------------------------------------------------------- psnr


def test_psnr_identical_is_inf():
    a = _texture((8, 9, 3))
    assert psnr(a, a.copy()) == math.inf
    assert psnr(a[None], a[None].copy()) == math.inf


@pytest.mark.parametrize("error", [1, 5, 17, 100])
def test_psnr_uniform_error_closed_form(error):
    a = np.full((6, 7, 3), 120, np.uint8)
    b = a + np.uint8(error)
    assert psnr(a, b) == pytest.approx(20 * math.log10(255 / error), abs=1e-12)


def test_psnr_mean_over_channels_matches_numpy():
    a, b = _texture((5, 6, 3), 1), _texture((5, 6, 3), 2)
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    assert psnr(a, b) == pytest.approx(10 * math.log10(255**2 / mse))


def test_masked_psnr_ignores_pixels_outside_mask():
    a = _texture((10, 12, 3), 3)
    b = a.copy()
    mask = np.zeros((10, 12), bool)
    mask[2:5, 3:8] = True
    b[mask] = b[mask] // 2  # error inside the mask
    inside = psnr(a, b, mask)
    c = b.copy()
    c[~mask] = 255 - c[~mask]  # change everything outside the mask
    assert psnr(a, c, mask) == inside
    assert psnr(a, c) < psnr(a, b)  # ...which the unmasked PSNR does see
    diff = (a[mask].astype(float) - b[mask].astype(float)) ** 2
    assert inside == pytest.approx(10 * math.log10(255**2 / diff.mean()))


def test_masked_psnr_video_and_empty_mask():
    a = np.zeros((3, 4, 4, 3), np.uint8)
    b = a.copy()
    b[1, 0, 0] = 10  # one pixel, 3 channels, error 10
    mask = np.zeros((3, 4, 4), bool)
    mask[1, 0, :2] = True  # 2 pixels -> 6 values, MSE = 3 * 100 / 6 = 50
    assert psnr(a, b, mask) == pytest.approx(10 * math.log10(255**2 / 50))
    assert math.isnan(psnr(a, b, np.zeros((3, 4, 4), bool)))


def test_psnr_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        psnr(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))
    with pytest.raises(ValueError):
        psnr(np.zeros((4, 4, 3)), np.zeros((4, 4, 3)), np.zeros((4, 5), bool))


# ---------------------------------------------------------------------------------------------------------------- ssim


def test_ssim_identical_is_one_and_shift_below_one():
    a = _texture((32, 40, 3), 4)
    assert ssim(a, a.copy()) == pytest.approx(1.0, abs=1e-12)
    shifted = np.clip(a.astype(int) + 30, 0, 255).astype(np.uint8)
    value = ssim(a, shifted)
    assert value < 0.999
    expected = structural_similarity(
        a.astype(float), shifted.astype(float), channel_axis=-1, data_range=255,
        gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
    )  # fmt: skip
    assert value == pytest.approx(expected)


def test_ssim_small_images_use_a_smaller_window():
    a = _texture((5, 8, 3), 5)
    assert ssim(a, a.copy()) == pytest.approx(1.0)
    assert ssim(a, 255 - a) < 0.5
    with pytest.raises(ValueError):
        ssim(a[:2], a[:2])


# --------------------------------------------------------------------------------------------------------- consistency


def _translating_video(shift_xy, count=3, size=128, seed=6):
    """Frames cut from one big random texture; content moves by ``shift_xy`` px per frame."""
    dx, dy = shift_xy
    big = _texture((size + 120, size + 120, 3), seed)
    origin = 60  # frame t + 1 at (y + dy, x + dx) equals frame t at (y, x)
    tops, lefts = [origin - t * dy for t in range(count)], [origin - t * dx for t in range(count)]
    return np.stack([big[y : y + size, x : x + size] for y, x in zip(tops, lefts)])


def test_consistency_finds_exact_match_of_pure_translation():
    frames = _translating_video((3, -2))
    # check the construction: frame t+1 at (y - 2, x + 3) equals frame t at (y, x)
    assert np.array_equal(frames[1, 10:40, 13:43], frames[0, 12:42, 10:40])
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 40:60, 40:60] = True  # patches and their matches stay inside the frame
    value_psnr, value_ssim = consistency(frames, holes)
    assert value_psnr == PSNR_CAP_DB
    assert value_ssim == pytest.approx(1.0)


def test_consistency_shift_beyond_search_window_finds_no_exact_match():
    frames = _translating_video((25, 0))
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 40:60, 40:60] = True  # patch left edges 15..35, matches at 40..60: inside the 128 px frame
    value_psnr, value_ssim = consistency(frames, holes)
    assert value_psnr < 20  # random texture: unrelated patches
    assert value_ssim < 0.5
    # with a larger search radius the exact match is in reach again
    assert consistency(frames, holes, search=26)[0] == PSNR_CAP_DB


def test_consistency_matches_brute_force_search():
    """One hole pixel (so one known patch centre), random frames: compare with a plain numpy exhaustive search."""
    rng = np.random.default_rng(7)
    frames = rng.integers(0, 256, size=(2, 40, 44, 3), dtype=np.uint8)
    holes = np.zeros((2, 40, 44), bool)
    holes[0, 20, 22] = True
    patch, search = 12, 5
    top, left = 20 - patch // 2, 22 - patch // 2
    source = frames[0, top : top + patch, left : left + patch].astype(float)
    best = None
    for y in range(top - search, top + search + 1):
        for x in range(left - search, left + search + 1):
            candidate = frames[1, y : y + patch, x : x + patch].astype(float)
            mse = np.mean((candidate - source) ** 2)
            if best is None or mse < best[0]:
                best = (mse, candidate)
    expected_psnr = 10 * math.log10(255**2 / best[0])
    expected_ssim = structural_similarity(
        source, best[1], channel_axis=-1, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    got_psnr, got_ssim = consistency(frames, holes, patch=patch, search=search)
    assert got_psnr == pytest.approx(expected_psnr)
    assert got_ssim == pytest.approx(expected_ssim)


def test_consistency_is_deterministic_and_seed_dependent():
    frames = _texture((4, 60, 60, 3), 8)
    holes = np.zeros((4, 60, 60), bool)
    holes[:, 10:50, 10:50] = True
    a = consistency(frames, holes, patch=16, seed=1)
    assert consistency(frames, holes, patch=16, seed=1) == a
    assert consistency(frames, holes, patch=16, seed=2) != a


def test_consistency_shrinks_patch_for_small_frames_and_handles_no_holes():
    frames = _texture((3, 20, 30, 3), 9)
    holes = np.zeros((3, 20, 30), bool)
    with pytest.warns(UserWarning):
        assert all(math.isnan(v) for v in consistency(frames, holes))
    holes[:, 8:12, 10:15] = True
    with pytest.warns(UserWarning, match="20x20"):
        value = consistency(frames, holes)
    assert np.isfinite(value).all()


# ---------------------------------------------------------------------------------------------------------- complexity


def test_complexity_constant_video_is_zero():
    frames = np.full((4, 32, 32, 3), 90, np.uint8)
    assert complexity(frames) == pytest.approx(0.0, abs=1e-9)


def test_complexity_of_brightness_ramp_is_std_of_brightness():
    levels = [10.0, 40.0, 45.0, 200.0]
    frames = np.stack([np.full((32, 32, 3), v, np.uint8) for v in levels])
    assert complexity(frames) == pytest.approx(float(np.std(levels)), abs=1e-6)


def test_complexity_motion_term_is_positive_for_non_rigid_motion(tiny_case):
    frames, _ = tiny_case
    appearance = float(np.std(frames.reshape(len(frames), -1).mean(axis=1)))
    assert complexity(frames) > appearance


# ------------------------------------------------------------------------------------------------- hole sharpness


def test_hole_sharpness_ratio_by_hand():
    # a vertical step at column 2 (grey 0 | 90); the Sobel x kernel sums 4 * (I(x+1) - I(x-1)) down its 3 rows:
    # 4 * 90 = 360 at columns 1 and 2, 0 at column 0 (reflected border: I(-1) = I(1)), no y gradient
    truth = np.zeros((5, 5, 3), np.uint8)
    truth[:, 2:] = 90
    result = truth // 2  # the same step, 45 high: 180 at columns 1 and 2
    hole = np.zeros((5, 5), bool)
    hole[2, :3] = True  # truth: (0 + 360 + 360) / 3 = 240; result: (0 + 180 + 180) / 3 = 120
    assert hole_sharpness_ratio(result, truth, hole) == pytest.approx(0.5)
    assert hole_sharpness_ratio(np.full_like(truth, 45), truth, hole) == 0.0  # flat: no gradient
    assert math.isnan(hole_sharpness_ratio(result, truth, np.zeros_like(hole)))
    video = np.stack([result, truth])  # over a video the means are over all its hole pixels: (120 + 240) / (2 * 240)
    assert hole_sharpness_ratio(video, np.stack([truth, truth]), np.stack([hole, hole])) == pytest.approx(0.75)


# ---------------------------------------------------------------------------------------------------------- telea_fill


def test_telea_fill_keeps_known_pixels_and_fills_holes(tiny_case):
    frames, holes = tiny_case
    filled = telea_fill(frames, holes)
    assert filled.dtype == np.uint8 and filled.shape == frames.shape
    assert np.array_equal(filled[~holes], frames[~holes])
    corrupted = frames.copy()
    corrupted[holes] = 0  # what is under the hole must not matter
    assert np.array_equal(telea_fill(corrupted, holes), filled)
    assert psnr(filled, frames, holes) > psnr(corrupted, frames, holes) + 5


def test_telea_fill_of_constant_image_is_constant():
    frames = np.full((2, 24, 24, 3), (10, 100, 200), np.uint8)
    holes = np.zeros((2, 24, 24), bool)
    holes[:, 8:16, 8:16] = True
    damaged = frames.copy()
    damaged[holes] = 0
    assert np.abs(telea_fill(damaged, holes).astype(int) - frames).max() <= 3
