"""The ceilings of benchmarks/unseen_ceiling.py, against values computed another way."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from unseen_ceiling import best_static_fill, coarse_with_detail

from videofill.fill.synthesis import blend_plate


def _video(seed=0):
    """A 6-frame 24x32 video whose light changes frame to frame, a moving square under a fixed 8x10 hole."""
    rng = np.random.default_rng(seed)
    base = rng.integers(60, 190, (24, 32, 3)).astype(np.float64)
    frames = []
    for t in range(6):
        frame = base + 6 * t
        frame[8 + t : 12 + t, 10:14] = 230  # passes under the hole
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    frames = np.stack(frames)
    region = np.zeros((24, 32), bool)
    region[8:16, 10:20] = True
    plate = np.median(frames, axis=0).astype(np.uint8)
    spatial = frames.copy()
    spatial[:, region] = 0  # blend_plate must not read the frames inside the region
    return frames, spatial, plate, region


def test_best_static_fill_is_the_mean_of_what_blend_plate_would_need():
    truth, spatial, plate, region = _video()
    fill = best_static_fill(truth, spatial, plate, region)
    assert np.array_equal(fill[~region], plate[~region])
    grey = plate.copy()
    grey[region] = 128  # blend_plate adds the frame's spread to the plate: read it off a mid-grey plate
    needed = [truth[t].astype(np.float64) - (blend_plate(spatial[t], grey, region).astype(np.float64) - 128)
              for t in range(len(truth))]
    expected = np.mean(needed, axis=0)[region]
    assert np.abs(fill[region].astype(np.float64) - expected).max() <= 1.0  # each term was rounded once


def test_best_static_fill_has_the_lowest_error_through_blend_plate():
    truth, spatial, plate, region = _video(1)
    fill = best_static_fill(truth, spatial, plate, region)

    def error(candidate):
        video = np.stack([blend_plate(frame, candidate, region) for frame in spatial]).astype(np.float64)
        return np.square(video[:, region] - truth[:, region]).mean()

    median = plate.copy()
    median[region] = np.median(truth, axis=0).astype(np.uint8)[region]
    brighter = fill.copy()
    brighter[region] = np.clip(fill[region].astype(int) + 3, 0, 255)
    assert error(fill) < error(median) and error(fill) < error(brighter)


def test_coarse_with_detail_splits_at_sigma():
    rng = np.random.default_rng(2)
    image = rng.integers(100, 157, (20, 20, 3)).astype(np.uint8)  # no clipping below
    other = rng.integers(100, 157, (20, 20, 3)).astype(np.uint8)
    flat = np.full_like(image, 128)
    assert np.abs(coarse_with_detail(image, image, 2.0).astype(int) - image).max() <= 1  # its own coarse part back
    swapped = coarse_with_detail(image, other, 2.0).astype(int) + coarse_with_detail(other, image, 2.0)
    assert np.abs(swapped - image.astype(int) - other).max() <= 1  # the two coarse parts and details add up
    blurred = coarse_with_detail(image, flat, 2.0)  # no detail: the coarse part alone
    assert blurred.std() < image.std() / 3 and abs(blurred.mean() - image.mean()) < 1
    detail = coarse_with_detail(flat, image, 2.0)  # the detail alone, on a flat coarse part
    assert abs(detail.mean() - 128) < 1 and detail.std() > image.std() / 2
