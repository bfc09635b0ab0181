"""videofill.track.flow: the probability enlarged to the frame's size, plainly and guided by the frame."""

import cv2
import numpy as np

from videofill.track.flow import grow_prob
from videofill.track.scores import region_j


def _disc_frame():
    """uint8 (120, 160, 3) frame of a bright disc on a dark ground (noisy) and the disc, bool (120, 160)."""
    yy, xx = np.mgrid[0:120, 0:160]
    disc = (yy - 60) ** 2 + (xx - 80) ** 2 < 40 ** 2
    rng = np.random.default_rng(0)
    frame = np.where(disc, 200.0, 50.0)[..., None] + rng.normal(0, 5, (120, 160, 3))
    return np.clip(frame, 0, 255).astype(np.uint8), disc


def test_grow_prob_is_bilinear_without_a_frame_or_radius():
    small = np.random.default_rng(1).random((30, 40)).astype(np.float32)
    plain = cv2.resize(small, (160, 120), interpolation=cv2.INTER_LINEAR)
    frame, _ = _disc_frame()
    assert np.array_equal(grow_prob(small, (120, 160)), plain)
    assert np.array_equal(grow_prob(small, (120, 160), frame, radius=0), plain)


def test_guided_enlargement_follows_the_frames_edge():
    frame, disc = _disc_frame()
    small = cv2.GaussianBlur(cv2.resize(disc.astype(np.float32), (40, 30), interpolation=cv2.INTER_AREA), (0, 0), 1.5)
    plain = grow_prob(small, (120, 160)) > 0.5
    guided = grow_prob(small, (120, 160), frame, radius=4) > 0.5
    assert region_j(guided, disc) > region_j(plain, disc)
    assert region_j(guided, disc) > 0.99
    # a flat frame gives no edge to follow: the guided filter is then a box blur of the bilinear probability
    flat = np.full_like(frame, 128)
    up = grow_prob(small, (120, 160))
    assert np.allclose(grow_prob(small, (120, 160), flat, radius=4),
                       cv2.blur(cv2.blur(up, (9, 9), borderType=cv2.BORDER_REFLECT), (9, 9),
                                borderType=cv2.BORDER_REFLECT), atol=1e-4)
