"""videofill.track.colour: the ring around the carried object and the colour ratio with a local background."""

import numpy as np
import pytest

from videofill.track.colour import BINS, ColourModel, _index, ring


def test_ring_is_the_band_at_the_given_distance_from_a_disc():
    h, w, r = 120, 160, 15.0
    yy, xx = np.mgrid[0:h, 0:w]
    d_centre = np.hypot(xx - 80, yy - 60)
    prior = (d_centre <= r).astype(np.float32)
    size = np.sqrt(prior.sum())  # ~ sqrt(pi) r
    sel = ring(prior, 0.2, 0.5)
    d_edge = d_centre - r  # the distance to the disc, computed from its centre instead of a distance transform
    inside = (d_edge > 0.2 * size + 1) & (d_edge <= 0.7 * size - 1)
    outside = (d_edge <= 0.2 * size - 1) | (d_edge > 0.7 * size + 1)
    assert sel[inside].all()
    assert not sel[outside].any()
    assert not ring(np.zeros((10, 10), np.float32), 0.2, 0.5).any()


def test_local_ratio_counts_the_ring_colours_as_background():
    red, green, blue = (200, 10, 10), (10, 200, 10), (10, 10, 200)
    img = np.zeros((40, 40, 3), np.uint8)
    img[:] = blue
    img[8:32, 8:32] = green  # near the object: the ring of the current frame
    img[15:25, 15:25] = red  # the object
    mask = np.zeros((40, 40), np.float32)
    mask[15:25, 15:25] = 1
    key = img.copy()
    key[8:32, 8:32] = blue
    key[15:25, 15:25] = red  # on the marked frame the object sits on blue only
    model = ColourModel([key], [mask])
    n = BINS ** 3
    fg = np.ones(n)
    bg = np.ones(n)
    i_red, i_green, i_blue = (int(_index(np.array([[c]], np.uint8))[0, 0]) for c in (red, green, blue))
    fg[i_red] += 100
    bg[i_blue] += 1600 - 100
    assert model.log_ratio[i_red] == pytest.approx(np.log(101 / fg.sum()) - np.log(1 / bg.sum()), rel=1e-5)
    assert model.log_ratio[i_green] == pytest.approx(np.log(1 / fg.sum()) - np.log(1 / bg.sum()), abs=1e-5)
    # the ring (2 to 6 px out of a 10 px square, inside the green one with gap 0.1 and width 0.5) holds only green pixels here
    sel = ring(mask, 0.1, 0.5)
    counts = np.bincount(_index(img)[sel], minlength=n)
    assert counts[i_green] == sel.sum()
    local = (counts + 1.0) / (counts.sum() + n)
    lr = model.local_log_ratio(img, mask, 0.5, 0.1, 0.5)
    expect = np.log(fg / fg.sum()) - np.log(0.5 * bg / bg.sum() + 0.5 * local)
    assert np.allclose(lr, expect, atol=1e-5)
    assert lr[i_green] < model.log_ratio[i_green] - 3  # green became background
    assert np.array_equal(model.local_log_ratio(img, mask, 0.0, 0.1, 0.5), model.log_ratio)


def test_posterior_clip_lets_the_colours_overrule_the_prior():
    img = np.zeros((4, 4, 3), np.uint8)
    mask = np.zeros((4, 4), np.float32)
    mask[:2] = 1
    img[:2] = (200, 10, 10)
    img[2:] = (10, 10, 200)
    model = ColourModel([img], [mask])
    prior = np.ones((4, 4), np.float32)  # the prior says object everywhere
    lr = model.log_ratio[_index(img)]
    for clip in (0.02, 0.3):
        p = np.clip(prior, clip, 1 - clip)
        expect = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + lr)))
        assert np.allclose(model.posterior(img, prior, clip), expect, atol=1e-6)
    assert model.posterior(img, prior, 0.02)[3, 0] > model.posterior(img, prior, 0.3)[3, 0]
