"""videofill.track.steps: the zoom that brings the carried object to the marked size, parts far from the prior."""

import math

import numpy as np
import pytest

from videofill.track import TrackConfig
from videofill.track.augment import spoil_prior
from videofill.track.motion import camera_residual
from videofill.track.steps import Stepper, near_parts, still_background, zoom_for


def test_zoom_brings_the_object_to_the_nearest_marked_size():
    cfg = TrackConfig(zoom_free=0.2, zoom_min=0.3, zoom_max=2.0)
    assert zoom_for(400.0, [100.0], cfg) == pytest.approx(0.5)  # 4x the area: half the side
    assert zoom_for(100.0, [400.0], cfg) == pytest.approx(2.0)
    assert zoom_for(100.0, [130.0], cfg) == 1.0  # sqrt(1.3) = 1.14 < 1.2: inside the free range
    assert zoom_for(1000.0, [10.0], cfg) == pytest.approx(0.3)  # clipped
    assert zoom_for(400.0, [100.0, 360.0], cfg) == 1.0  # the second mark is near in size
    assert zoom_for(900.0, [100.0, 400.0], cfg) == pytest.approx(math.sqrt(400 / 900))
    assert zoom_for(0.0, [100.0], cfg) == 1.0
    assert zoom_for(400.0, [100.0], TrackConfig(zoom=False)) == 1.0


def test_near_parts_drops_what_the_prior_does_not_reach():
    prob = np.zeros((40, 60), np.float32)
    prob[5:15, 5:15] = 0.9  # touches the prior
    prob[25:35, 45:55] = 0.8  # far away
    prior = np.zeros_like(prob)
    prior[8:18, 8:18] = 1.0
    out = near_parts(prob, prior, TrackConfig(keep_near=3, threshold=0.5))
    assert np.array_equal(out[5:15, 5:15], prob[5:15, 5:15])
    assert not out[25:35, 45:55].any()
    # an empty prior drops nothing
    assert np.array_equal(near_parts(prob, np.zeros_like(prob), TrackConfig(keep_near=3)), prob)


def test_part_prior_keeps_30_to_70_percent_of_the_object():
    mask = np.zeros((64, 64), np.float32)
    mask[16:48, 12:52] = 1
    cfg = TrackConfig(prior_part=1.0, prior_shift=0, prior_warp=0, prior_morph=0, prior_blobs=0, prior_drop=0,
                      prior_blur=0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = spoil_prior(mask, rng, cfg)
        kept = (p > 0.5).sum() / mask.sum()
        assert 0.25 <= kept <= 0.75, kept  # the rotation/scale jitter of +-4 deg, +-6 % remains
        assert ((p > 0.5) & (mask < 0.5)).sum() <= 0.1 * mask.sum()


def _flow_with_square(obj_dx):
    flow = np.zeros((60, 80, 2), np.float32)
    flow[..., 0], flow[..., 1] = 2.0, 1.0  # the camera: a translation
    flow[20:40, 30:50, 0] = 2.0 + obj_dx  # the object moves 4 px more to the right
    prior = np.zeros((60, 80), np.float32)
    prior[20:40, 30:50] = 1
    return flow, prior


def test_camera_residual_of_a_translation_and_a_moving_square():
    flow, prior = _flow_with_square(4.0)
    res = camera_residual(flow, prior < 0.5)
    # the homography is the translation exactly: residual 0 outside, |(4, 0)| / (0 + 0.5) = 8 on the square
    assert np.allclose(res[prior < 0.5], 0, atol=1e-3)
    assert np.allclose(res[prior > 0.5], 8.0, atol=1e-3)


def test_still_background_is_zero_where_the_camera_moves_things():
    flow, prior = _flow_with_square(4.0)
    cfg = TrackConfig(motion_lo=1.0, motion_hi=3.0)
    moving, median = still_background(flow, prior, cfg)
    assert median == pytest.approx(8.0, abs=1e-3)
    assert moving[prior > 0.5].min() == pytest.approx(1.0)
    assert moving[prior < 0.5].max() == pytest.approx(0.0, abs=1e-3)
    # a square that moves 1 px more: residual 2, half way between motion_lo and motion_hi
    flow, prior = _flow_with_square(1.0)
    moving, median = still_background(flow, prior, cfg)
    assert median == pytest.approx(2.0, abs=1e-3)
    assert moving[30, 40] == pytest.approx(0.5, abs=1e-3)
    tiny = np.zeros_like(prior)
    tiny[0:3, 0:3] = 1
    assert still_background(flow, tiny, cfg) is None


class _Seg:
    """A stand-in network whose answer without a prior is a fixed map."""

    def __init__(self, answer):
        self.answer = answer

    def predict(self, image, prior):
        return self.answer


def _stepper(answer, **cfg):
    st = Stepper.__new__(Stepper)
    st.cfg = TrackConfig(zoom=False, motion=0.0, **cfg)
    st.small = np.zeros((1,) + answer.shape + (3,), np.uint8)
    st.key_areas = [100.0]
    st.seg = _Seg(answer)
    st.redetected = 0
    return st


def test_redetect_adds_the_confident_part_with_the_most_mass():
    cand = np.zeros((40, 60), np.float32)
    cand[2:8, 2:8] = 0.95  # 36 px, mass 34.2
    cand[20:32, 30:42] = 0.8  # 144 px, mass 115.2: the one taken
    cand[20:30, 2:12] = 0.55  # 100 px but mean 0.55 < redetect_conf
    cand[35:37, 50:52] = 1.0  # 4 px < redetect_min x area
    prob = np.zeros_like(cand)
    prob[0:2, 0:2] = 0.9
    st = _stepper(cand, redetect_min=0.2, redetect_conf=0.7)
    out = st.redetect(0, prob, 100.0, None)
    assert np.array_equal(out[20:32, 30:42], cand[20:32, 30:42])
    assert out[0:2, 0:2].min() == pytest.approx(0.9)  # the step's own mask is kept
    assert not out[2:8, 2:8].any() and not out[20:30, 2:12].any() and not out[35:37, 50:52].any()
    assert st.redetected == 1
    # nothing confident enough: unchanged
    st = _stepper(cand * 0.6, redetect_min=0.2, redetect_conf=0.7)
    assert st.redetect(0, prob, 100.0, None) is prob


def test_flip_averaging_is_the_mean_of_the_frame_and_its_mirror():
    from videofill.track.net import Segmenter

    rng = np.random.default_rng(0)
    image = rng.random((24, 40, 3), dtype=np.float32)
    prior = (rng.random((24, 40)) > 0.5).astype(np.float32)
    plain = Segmenter(TrackConfig(net_width=4))  # untrained: the same seed gives the same weights
    tta = Segmenter(TrackConfig(net_width=4, tta_flip=True))
    p = plain.predict(image, prior)
    mirrored = plain.predict(image[:, ::-1].copy(), prior[:, ::-1].copy())[:, ::-1]
    assert not np.allclose(p, mirrored, atol=1e-4)  # the network alone is not mirror-symmetric
    assert np.allclose(tta.predict(image, prior), 0.5 * (p + mirrored), atol=1e-5)
    # and the average is: mirroring the input mirrors the output
    assert np.allclose(tta.predict(image[:, ::-1].copy(), prior[:, ::-1].copy())[:, ::-1], tta.predict(image, prior),
                       atol=1e-5)

