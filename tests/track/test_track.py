"""videofill.track: marks are checked, a box becomes a mask, a moving textured disc is tracked."""

import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.track import (
    Mark,
    TrackConfig,
    check_marks,
    mark_to_mask,
    track,
    track_stream,
)
from videofill.track.scores import region_j
from videofill.track.tracker import gap_weight

H, W, T, R = 64, 96, 10, 13


def _texture(rng, h, w, base):
    """uint8 (h, w, 3): a colour ``base`` with smooth random texture."""
    import cv2

    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w, 3)).astype(np.float32), (0, 0), 1.5)
    return np.clip(np.asarray(base, np.float32) + 60 * noise, 0, 255).astype(np.uint8)


def _synthetic(seed=0):
    """frames uint8 (T, H, W, 3) and truth bool (T, H, W): a textured disc moving over a textured background."""
    rng = np.random.default_rng(seed)
    bg = _texture(rng, H, W + T, (90, 140, 90))
    fg = _texture(rng, 2 * R + 2, 2 * R + 2, (200, 80, 60))
    yy, xx = np.mgrid[:H, :W]
    frames, truth = [], []
    for t in range(T):
        img = bg[:, t: t + W].copy()  # the camera pans slowly
        cx, cy = 20 + 3 * t, 30 + np.sin(t / 3) * 4
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= R ** 2
        ys, xs = np.nonzero(disc)
        img[ys, xs] = fg[np.clip(ys - int(cy) + R, 0, 2 * R + 1), np.clip(xs - int(cx) + R, 0, 2 * R + 1)]
        frames.append(img)
        truth.append(disc)
    return np.stack(frames), np.stack(truth)


FAST = TrackConfig(train_steps=60, crop=64, batch=4)


@pytest.fixture(scope="module")
def video():
    return _synthetic()


def test_disc_is_tracked_from_one_mask(video):
    frames, truth = video
    pred = track(frames, [Mark(0, mask=truth[0])], config=FAST)
    assert pred.shape == truth.shape and pred.dtype == bool
    assert np.array_equal(pred[0], truth[0])
    js = [region_j(p, g) for p, g in zip(pred[1:], truth[1:])]
    assert np.mean(js) >= 0.9, js


def test_disc_flow_only_and_two_marks(video):
    frames, truth = video
    marks = [Mark(0, mask=truth[0]), Mark(T - 1, mask=truth[T - 1])]
    pred = track(frames, marks, config=TrackConfig(method="flow"))
    assert np.array_equal(pred[T - 1], truth[T - 1])
    # DIS on a 64x96 clip is rough (J 0.64 by frame 4 from one side); the two sides together do better
    js = [region_j(p, g) for p, g in zip(pred, truth)]
    assert np.mean(js) >= 0.7 and min(js) >= 0.5, js


def test_stream_gives_what_track_gives(video):
    frames, truth = video
    marks = [Mark(2, mask=truth[2]), Mark(7, box=(5, 5, 60, 60))]
    cfg = TrackConfig(method="colour")
    calls, written = [], []

    def read(start, stop):
        calls.append((start, stop))
        return frames[start:stop]

    track_stream(read, T, marks, written.append, config=cfg, chunk=3)
    assert max(b - a for a, b in calls) <= 3
    assert [len(w) for w in written] == [3, 3, 3, 1]
    assert np.array_equal(np.concatenate(written), track(frames, marks, config=cfg))


def test_refined_stream_gives_what_refined_track_gives(video):
    frames, truth = video
    marks = [Mark(2, mask=truth[2])]
    cfg = TrackConfig(method="flow", refine=2)
    written = []
    track_stream(lambda a, b: frames[a:b], T, marks, written.append, config=cfg, chunk=3)
    refined = track(frames, marks, config=cfg)
    assert np.array_equal(np.concatenate(written), refined)
    assert not np.array_equal(refined, track(frames, marks, config=TrackConfig(method="flow", refine=0)))  # it did change


def test_box_becomes_the_disc(video):
    frames, truth = video
    ys, xs = np.nonzero(truth[3])
    box = (int(xs.min()) - 2, int(ys.min()) - 2, int(xs.max()) + 3, int(ys.max()) + 3)
    mask = mark_to_mask(frames[3], Mark(3, box=box))
    assert mask.shape == (H, W) and mask.dtype == bool
    assert region_j(mask, truth[3]) >= 0.8


def test_points_become_the_disc(video):
    frames, truth = video
    ys, xs = np.nonzero(truth[3])
    cx, cy = int(xs.mean()), int(ys.mean())
    mask = mark_to_mask(frames[3], Mark(3, points=((cx, cy), (cx - 5, cy + 3))))
    assert region_j(mask, truth[3]) >= 0.6


def test_mask_mark_returns_itself(video):
    frames, truth = video
    assert np.array_equal(mark_to_mask(frames[0], Mark(0, mask=truth[0].astype(np.uint8))), truth[0])


def _disc_mask():
    m = np.zeros((H, W), bool)
    m[10:20, 10:20] = True
    return m


@pytest.mark.parametrize(
    "marks, words",
    [
        ([Mark(T, mask=_disc_mask())], "frame"),
        ([Mark(-1, mask=_disc_mask())], "frame"),
        ([Mark(0, mask=np.ones((H, W + 1), bool))], "frames are 64x96"),
        ([Mark(0, mask=np.zeros((H, W), bool))], "empty"),
        ([Mark(0, box=(10, 10, W + 1, 20))], "not inside"),
        ([Mark(0, box=(-1, 10, 20, 20))], "not inside"),
        ([Mark(0, box=(10, 10, 10, 20))], "zero area"),
        ([Mark(0, box=(10, 20, 30, 5))], "zero area"),
        ([Mark(2, mask=_disc_mask()), Mark(2, box=(1, 1, 5, 5))], "two marks"),
        ([Mark(0)], "exactly one"),
        ([Mark(0, mask=_disc_mask(), box=(1, 1, 5, 5))], "exactly one"),
        ([Mark(0, points=((W, 3),))], "not inside"),
        ([], "no marks"),
    ],
)
def test_bad_marks_raise(marks, words):
    with pytest.raises(VideofillError, match=words) as err:
        check_marks(marks, T, (H, W))
    assert "\n" not in str(err.value)


def test_track_checks_marks_and_frames(video):
    frames, truth = video
    with pytest.raises(VideofillError):
        track(frames, [Mark(T + 3, mask=truth[0])])
    with pytest.raises(VideofillError):
        track(frames.astype(np.float32), [Mark(0, mask=truth[0])])
    with pytest.raises(VideofillError):
        track(frames, [Mark(0, mask=truth[0])], config=TrackConfig(method="magic"))


def test_gap_weight_is_linear_at_power_one_and_favours_the_near_mark_above():
    assert gap_weight(0.25, 1.0) == pytest.approx(0.25)
    assert gap_weight(0.25, 2.0) == pytest.approx(0.0625 / (0.0625 + 0.5625))
    assert gap_weight(0.5, 3.0) == pytest.approx(0.5)
    assert gap_weight(1.0, 2.0) == 1.0 and gap_weight(0.0, 2.0) == 0.0
