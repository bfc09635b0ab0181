"""Flow-guided propagation against hand-built cases whose answer is known."""

import numpy as np
import pytest

from videofill.fill.propagate import (
    Propagation,
    consensus,
    drop_still_hole_copies,
    one_copy,
    propagate,
    propagate_video,
    read_copy,
    resolve_spatial_fill,
    spatial_fill,
    telea_fill,
)


def _pan(count=7, width=64, height=40, speed=2, seed=0):
    """A textured strip seen through a window that moves right by ``speed`` px per frame (content moves left)."""
    rng = np.random.default_rng(seed)
    world = (rng.random((height, width + speed * count, 3)) * 255).astype(np.uint8)
    frames = np.stack([world[:, speed * t : speed * t + width] for t in range(count)])
    flow = np.zeros((count - 1, height, width, 2), np.float32)
    flow[..., 0] = -speed  # F_{t->t+1}: a pixel of frame t is `speed` px further left in frame t+1
    return frames, flow


@pytest.mark.parametrize("combine", ["median", "one", "agree"])
def test_a_pan_is_restored_exactly_from_the_neighbouring_frames(combine):
    frames, flow = _pan(speed=4)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 12:28, 20:36] = True  # a static hole: the pan reveals what it covers in other frames
    damaged = frames.copy()
    damaged[holes] = 0
    result = propagate(damaged, holes, flow, -flow, combine=combine)  # the copies agree: one copy is the median
    middle = 3
    assert result.seen[middle][holes[middle]].all()
    assert result.trusted[middle][holes[middle]].all()
    np.testing.assert_array_equal(result.frames[middle], frames[middle])
    np.testing.assert_array_equal(result.frames[~holes], frames[~holes])  # known pixels untouched


def test_pixels_never_shown_are_not_seen():
    frames, _ = _pan(speed=0)
    flow = np.zeros((len(frames) - 1, *frames.shape[1:3], 2), np.float32)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 5:15, 5:15] = True  # static camera, static hole: no frame shows the region
    result = propagate(frames, holes, flow, flow)
    assert not result.seen.any() and not result.trusted.any()
    np.testing.assert_array_equal(result.frames, spatial_fill(frames, holes))  # the spatial fill alone


def test_the_smooth_spatial_fills_continue_a_ramp_exactly():
    xs = np.arange(48, dtype=np.float32)
    ramp = np.repeat(np.repeat((40 + 3 * xs)[None, :, None], 32, axis=0), 3, axis=2).astype(np.uint8)
    frames = np.repeat(ramp[None], 3, axis=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 8:24, 10:30] = True
    holes[2] = True  # a frame that is all hole has nothing to fill from: left as it is
    # a linear ramp is harmonic (each pixel the mean of its four neighbours) and biharmonic: every smooth fill gives it
    # back, by hand, and so does the one chosen on trial copies
    for smooth in ("auto", "membrane", "thin plate", "membrane+thin plate"):
        filled = spatial_fill(frames, holes, smooth)
        assert np.abs(filled[:2].astype(int) - ramp).max() <= 1 and np.array_equal(filled[2], frames[2])
    telea = telea_fill(frames[:2], holes[:2])
    assert np.abs(telea.astype(int) - ramp).max() > 3  # fast marching does not
    np.testing.assert_array_equal(spatial_fill(frames[:2], holes[:2], "telea"), telea)
    with pytest.raises(ValueError, match="unknown fill"):
        spatial_fill(frames, holes, "smear")


def test_the_fill_is_the_median_of_the_copies_and_the_spatial_fill():
    spatial = np.full((3, 3), 100.0, np.float32)  # three hole pixels

    def copy(values, found):  # one copy per pixel (grey values), and where it was found
        return np.repeat(np.array(values, np.float32)[:, None], 3, axis=1), np.array(found)

    camera = (*copy([10, 0, 20], [True, False, True]), *copy([10, 0, 40], [True, False, True]))
    local = (*copy([250, 0, 0], [True, False, False]), *copy([10, 0, 0], [True, False, False]))
    # pixel 0: three copies say 10, one says 250 -> 10 (outvoted); pixel 1: no copy -> the spatial fill, 100;
    # pixel 2: one model's copies say 20 and 40, the other found none -> median(20, 40, 100) = 40
    np.testing.assert_allclose(consensus([camera, local], spatial, np.zeros(3)), [[10] * 3, [100] * 3, [40] * 3])


def test_one_copy_takes_one_source_per_region_not_a_blend():
    # a 1 x 12 strip of hole pixels; the camera model's two copies and the local model's forward copy disagree
    # everywhere (a moving object: 0 / 200 / 90); the median of each pixel is 90. Pixel 11 has one copy only.
    count = 12
    points = np.stack([np.arange(count), np.zeros(count)], axis=1).astype(np.float32)

    def copy(value, found=True):
        return np.full((count, 3), value, np.float32), np.full(count, found)

    camera = (*copy(0.0), *copy(200.0))
    local = (*copy(90.0), *copy(0.0, found=False))
    camera[1][11] = camera[3][11] = False  # pixel 11: only the local copy
    median = np.full((count, 3), 90.0, np.float32)
    median[11] = 50.0  # (say) the mean of its one copy and the spatial fill
    result = one_copy([camera, local], median, points, (1, count), radius=2)
    # the local forward copy is nearest the median everywhere: every pixel with two or more copies takes it, exactly
    np.testing.assert_array_equal(result[:11], np.full((11, 3), 90.0))
    np.testing.assert_array_equal(result[11], [50.0] * 3)  # one copy: the median is kept
    # by hand, per source, the mean distance to the median over the pixels within 2 px decides, not the pixel alone:
    # the camera's forward copy matches pixel 0's median exactly, but its neighbours' copies are far -> not taken
    median[0] = 0.0
    result = one_copy([camera, local], median, points, (1, count), radius=2)
    # scores at pixel 0 over pixels 0-2: camera forward (0 + 90 + 90) / 3 = 60, local forward (90 + 0 + 0) / 3 = 30
    np.testing.assert_array_equal(result[0], [90.0] * 3)


def test_agree_takes_one_copy_only_where_the_best_source_lies_near_the_median():
    # 1 x 8 strip, two copies per pixel (camera forward, local forward). Pixels 0-3: the copies are 100 and 110 and
    # the median 104 (say): best source 100, score 4. Pixels 4-7: copies 0 and 200, median 100: score 100 whichever.
    count = 8
    points = np.stack([np.arange(count), np.zeros(count)], axis=1).astype(np.float32)
    first = np.repeat(np.array([100.0] * 4 + [0.0] * 4, np.float32)[:, None], 3, axis=1)
    second = np.repeat(np.array([110.0] * 4 + [200.0] * 4, np.float32)[:, None], 3, axis=1)
    missing = (np.zeros((count, 3), np.float32), np.zeros(count, bool))
    camera = (first, np.ones(count, bool), *missing)
    local = (second, np.ones(count, bool), *missing)
    median = np.repeat(np.array([104.0] * 4 + [100.0] * 4, np.float32)[:, None], 3, axis=1)
    # radius 0: each pixel scored alone; scores by hand: pixels 0-3 -> 4 (first) vs 6 (second); 4-7 -> 100 vs 100
    agreed = one_copy([camera, local], median, points, (1, count), radius=0, tolerance=20.0)
    np.testing.assert_array_equal(agreed[:4], first[:4])  # agree: the copy
    np.testing.assert_array_equal(agreed[4:], median[4:])  # disagree: the median
    strict = one_copy([camera, local], median, points, (1, count), radius=0, tolerance=4.0)  # 4 is not below 4
    np.testing.assert_array_equal(strict, median)
    anyway = one_copy([camera, local], median, points, (1, count), radius=0)  # no tolerance: one copy everywhere
    np.testing.assert_array_equal(anyway[4:], first[4:])  # ties go to the first source


def test_an_unknown_way_to_combine_is_refused():
    frames, flow = _pan(count=3)
    with pytest.raises(ValueError, match="combine"):
        propagate(frames, np.zeros(frames.shape[:3], bool), flow, -flow, combine="mean")


def test_a_second_pass_estimates_the_flows_again_on_the_filled_video():
    frames, flow = _pan(speed=4)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 12:28, 20:36] = True
    damaged = frames.copy()
    damaged[holes] = 0
    pairs = len(frames) - 1
    calls = []

    def estimator(a, b):  # the true flow: each pass asks for the pairs' forward flows, then their backward ones
        calls.append(a.copy())
        forward = (len(calls) - 1) % (2 * pairs) < pairs
        return flow[0] if forward else -flow[0]

    first = propagate(damaged, holes, flow, -flow)
    result = propagate_video(damaged, holes, estimator, passes=2)
    assert len(calls) == 4 * pairs
    np.testing.assert_array_equal(calls[0], damaged[0])  # the first pass sees the input
    np.testing.assert_array_equal(calls[2 * pairs], first.frames[0])  # the second sees the first's fill
    np.testing.assert_array_equal(result.frames[3], frames[3])  # and still restores the pan exactly


def test_the_hole_content_is_never_read():
    frames, flow = _pan(speed=4)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 12:28, 20:36] = True
    holes[5] = True  # a frame that is all hole
    rng = np.random.default_rng(1)
    results = []
    for _ in range(2):
        scrambled = frames.copy()
        scrambled[holes] = rng.integers(0, 256, (int(holes.sum()), 3), dtype=np.uint8)
        results.append(propagate(scrambled, holes, flow, -flow).frames)
    np.testing.assert_array_equal(results[0], results[1])


def test_an_all_hole_frame_nothing_shows_gets_the_clips_mean_colour():
    frames = np.zeros((3, 8, 8, 3), np.uint8)
    frames[..., 0] = 200
    holes = np.zeros((3, 8, 8), bool)
    holes[1] = True
    frames[1] = (0, 255, 0)  # hole content: must not show up
    holes[:, 2:6, 2:6] = True  # no frame shows these pixels
    zero = np.zeros((2, 8, 8, 2), np.float32)
    result = propagate(frames, holes, zero, zero)
    np.testing.assert_array_equal(result.frames[1, 3, 3], [200, 0, 0])  # the mean of the known pixels
    np.testing.assert_array_equal(result.frames[1, 0, 0], [200, 0, 0])  # copied from frames 0 and 2


def test_disagreeing_copies_are_not_trusted():
    frames, _ = _pan(speed=0)
    flow = np.zeros((len(frames) - 1, *frames.shape[1:3], 2), np.float32)
    holes = np.zeros(frames.shape[:3], bool)
    holes[3, 5:15, 5:15] = True  # only the middle frame has a hole: frames 2 and 4 both show it
    frames = frames.copy()
    frames[4, 5:15, 5:15] = 255 - frames[2, 5:15, 5:15]  # ...but they disagree about what is there
    result = propagate(frames, holes, flow, flow)
    assert result.seen[3][holes[3]].all()
    assert not result.trusted[3][holes[3]].any()
    frames[4, 5:15, 5:15] = frames[2, 5:15, 5:15]  # now they agree
    assert propagate(frames, holes, flow, flow).trusted[3][holes[3]].all()


def test_a_copy_is_read_bicubic_away_from_the_hole():
    # one bright column read half a pixel off: bilinear gives half of it; OpenCV's bicubic (Keys, a = -0.75) gives
    # the kernel's weight at 0.5 px, (a + 2) 0.5^3 - (a + 3) 0.5^2 + 1 = 0.59375
    frame = np.zeros((12, 24, 3), np.uint8)
    frame[:, 10] = 200
    known = np.full((12, 24), 255, np.uint8)
    points = np.array([[10.5, 6.0]], np.float32)
    np.testing.assert_allclose(read_copy(frame, known, points), [[round(200 * 0.59375)] * 3])
    np.testing.assert_allclose(read_copy(frame, known.astype(np.float32) / 255, points), [[119.0] * 3])
    frame[:, 0] = 200  # within a pixel of the frame's edge bicubic would read past it: bilinear
    np.testing.assert_allclose(read_copy(frame, known, np.array([[0.5, 6.0]], np.float32)), [[100.0] * 3])
    # a hole pixel among the 4x4 bicubic would read: bilinear instead, and the hole's value does not leak in
    known[6, 12] = 0
    frame[6, 12] = 255
    np.testing.assert_allclose(read_copy(frame, known, points), [[100.0] * 3])
    np.testing.assert_allclose(read_copy(frame, known.astype(np.float32) / 255, points), [[100.0] * 3])


def _carried_in(count=4):
    """A static scene whose box no frame shows, with propagation's copies of something carried in (255) claimed as
    seen and trusted: (frames, holes, propagation, spatial)."""
    frames, _ = _pan(count=count, speed=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 10:26, 20:40] = True
    carried = frames.copy()
    carried[holes] = 255
    propagation = Propagation(carried, holes.copy(), holes.copy(), np.repeat(np.eye(3)[None], count - 1, axis=0))
    return frames, holes, propagation, spatial_fill(frames, holes)


def test_a_hole_that_stays_put_under_a_static_camera_takes_the_spatial_fill_whatever_was_copied():
    _, holes, propagation, spatial = _carried_in()
    result = drop_still_hole_copies(propagation, holes, spatial)
    np.testing.assert_array_equal(result.frames, spatial)  # no frame shows the box: every copy was carried in
    assert np.array_equal(result.replaced, holes) and not result.seen.any() and not result.trusted.any()
    assert propagation.seen[holes].all() and propagation.frames[holes].min() == 255  # the input is left as it was


def test_copies_are_kept_under_a_moving_camera_a_moving_hole_and_in_a_frame_that_is_all_hole():
    frames, holes, propagation, spatial = _carried_in()
    pan = propagation.homographies.copy()
    pan[:, 0, 2] = 2.0  # the camera pans 2 px a frame
    result = drop_still_hole_copies(Propagation(propagation.frames, holes, holes, pan), holes, spatial)
    assert np.array_equal(result.frames, propagation.frames) and not result.replaced.any()
    moving = holes.copy()
    moving[1:, 10:26, 20:23] = False  # 17 of its 20 columns never shown: under STILL_HOLE_IOU of the part
    result = drop_still_hole_copies(Propagation(propagation.frames, moving, moving, propagation.homographies), moving,
                              spatial_fill(frames, moving))
    assert np.array_equal(result.frames, propagation.frames) and not result.replaced.any()
    black = holes.copy()
    black[2] = True  # a cut to black: nothing to fill from, it keeps its copies (and says nothing of the hole)
    result = drop_still_hole_copies(Propagation(propagation.frames, black, black, propagation.homographies), black,
                              spatial_fill(frames, black))
    assert not result.replaced[2].any() and np.array_equal(result.frames[2], propagation.frames[2])
    assert np.array_equal(result.replaced[[0, 1, 3]], holes[[0, 1, 3]])


def test_propagate_video_holds_still_holes_unless_told_not_to():
    frames, _ = _pan(speed=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 10:26, 20:40] = True

    def around_the_hole(a, b):  # motion beside the hole (a hand passing by): the local model carries it in
        flow = np.zeros((*a.shape[:2], 2), np.float32)
        flow[4:32, 10:50, 0] = 3.0
        return flow

    kept = propagate_video(frames, holes, around_the_hole, hold_still_holes=False)
    held = propagate_video(frames, holes, around_the_hole)
    assert kept.seen.any() and (kept.replaced is None or not kept.replaced.any())  # copies carried in
    assert np.array_equal(held.replaced, holes) and not held.seen.any()
    np.testing.assert_array_equal(held.frames, spatial_fill(frames, holes))


def test_the_auto_spatial_fill_is_the_smooth_fill_chosen_on_trial_copies(monkeypatch):
    from videofill.fill import propagate as module

    frames, _ = _pan(speed=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 10:26, 20:40] = True
    chosen = []
    monkeypatch.setattr(module, "choose_smooth", lambda f, h: chosen.append(h.sum()) or "thin plate")
    np.testing.assert_array_equal(spatial_fill(frames, holes, "auto"), spatial_fill(frames, holes, "thin plate"))
    assert chosen == [holes.sum()]  # once for the clip, on its holes
    result = propagate_video(frames, holes, lambda a, b: np.zeros((*a.shape[:2], 2), np.float32), passes=1)
    assert result.spatial_fill == "thin plate"  # the choice is recorded on the propagation


def test_the_spatial_fill_is_chosen_on_the_real_frames_not_their_padding(monkeypatch):
    from videofill.fill import propagate as module

    frames, _ = _pan(speed=0)  # 64x40
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 10:26, 20:40] = True
    holes[:, 32:] = True  # padding at the bottom (all hole, as prepare pads), the real frames 64x32
    shapes = []
    monkeypatch.setattr(module, "choose_smooth", lambda f, h: shapes.append((f.shape, h.sum())) or "membrane")
    assert resolve_spatial_fill(frames, holes, "auto", size=(64, 32)) == "membrane"
    assert shapes == [((len(frames), 32, 64, 3), len(frames) * 16 * 20)]  # the box alone, not the padding
    assert resolve_spatial_fill(frames, holes, "thin plate", size=(64, 32)) == "thin plate" and len(shapes) == 1
