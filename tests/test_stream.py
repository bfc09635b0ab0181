"""Tests of videofill.stream: frame ranges and times, windows and their cross-fade, the streaming driver, resume."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import videofill.pipeline
from videofill.config import get_preset
from videofill.errors import VideofillError
from videofill.io.masks import read_masks, write_masks
from videofill.io.timecode import frame_at, frame_range
from videofill.pipeline import InpaintResult
from videofill.stream import (
    SequentialFrames,
    crossfade,
    crossfade_weights,
    inpaint_stream,
    inpaint_window,
    window_folder,
    window_ranges,
)

NTSC = Fraction(30000, 1001)

# --- frames and times ------------------------------------------------------------------------------------------


def test_frame_numbers_and_times():
    assert frame_at("120", NTSC) == 120
    assert frame_at("12.5s", Fraction(24)) == 300
    assert frame_at("1:02.5", Fraction(24)) == frame_at("00:01:02.5", Fraction(24)) == 1500  # 62.5 s
    assert frame_at("1:00:00", Fraction(25)) == 90000
    assert frame_at("1s", NTSC) == 29  # 29.97 frames have started by 1 s: frame 29 is on screen
    assert frame_at("1001s", NTSC) == 30000  # exact: no float rounding
    for bad in ("", "-3", "1.5", "12.5 sec", "1:75", "1:60:00", "abc", "1e3s"):
        with pytest.raises(VideofillError, match="frame number|not a valid time"):
            frame_at(bad, Fraction(25))


def test_frame_range_defaults_clipping_and_errors():
    assert frame_range(None, None, 100, Fraction(25)) == (0, 100)
    assert frame_range("1s", "2s", 100, Fraction(25)) == (25, 50)
    assert frame_range("10", "500", 100, Fraction(25)) == (10, 100)  # an end past the clip is its end
    with pytest.raises(VideofillError, match="has 100 frames"):
        frame_range("100", None, 100, Fraction(25))
    with pytest.raises(VideofillError, match="must come after"):
        frame_range("50", "2s", 100, Fraction(25))


# --- windows ---------------------------------------------------------------------------------------------------


def test_window_ranges_examples():
    assert window_ranges(0, 20, 8, 3) == [(0, 8), (5, 13), (10, 18), (15, 20)]
    assert window_ranges(0, 14, 8, 3) == [(0, 8), (5, 14)]  # (10, 14) is shorter than a batch: merged
    assert window_ranges(7, 30, 0, 10) == [(7, 30)]  # 0: everything at once
    assert window_ranges(0, 50, 60, 10) == [(0, 50)]
    assert window_ranges(0, 200, 60, 10) == [(0, 60), (50, 110), (100, 160), (150, 200)]
    with pytest.raises(VideofillError, match="at least 5"):
        window_ranges(0, 20, 4, 1)
    with pytest.raises(VideofillError, match="half"):
        window_ranges(0, 20, 8, 5)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.integers(1, 300), st.integers(5, 70), st.data())
def test_windows_cover_every_frame_in_order(start, length, window, data):
    overlap = data.draw(st.integers(0, window // 2))
    ranges = window_ranges(start, start + length, window, overlap)
    assert ranges[0][0] == start and ranges[-1][1] == start + length
    for (s0, e0), (s1, e1) in zip(ranges, ranges[1:]):
        assert s1 == e0 - overlap and e1 > e0  # neighbours share exactly `overlap` frames, moving forward
    for (_, e0), (s2, _) in zip(ranges, ranges[2:]):
        assert s2 >= e0  # no frame is in three windows
    for s, e in ranges:
        assert min(5, length) <= e - s <= max(window, 1) + 4 or len(ranges) == 1  # merged last: < window + a batch


def test_crossfade_weights_sum_to_one_and_ramp():
    for overlap in range(0, 12):
        earlier, later = crossfade_weights(overlap)
        assert earlier.shape == later.shape == (overlap,)
        np.testing.assert_allclose(earlier + later, 1.0)
        assert np.all(np.diff(later) > 0) and np.all((later > 0) & (later < 1))
    np.testing.assert_allclose(crossfade_weights(3)[1], [0.25, 0.5, 0.75])


def test_crossfade_blends_holes_only():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (3, 6, 7, 3), dtype=np.uint8)
    holes = rng.random((3, 6, 7)) < 0.5
    earlier = np.where(holes[..., None], 0, frames).astype(np.uint8)
    later = np.where(holes[..., None], 200, frames).astype(np.uint8)
    out = crossfade(earlier, later, frames, holes)
    assert np.array_equal(out[~holes], frames[~holes])
    for j, value in enumerate((50, 100, 150)):  # 200 * (j + 1) / 4
        assert np.all(out[j][holes[j]] == value)


def test_sequential_frames_decodes_each_frame_once():
    pulled = []

    def source():
        for i in range(3, 20):
            pulled.append(i)
            yield np.full((2, 2, 3), i, np.uint8)

    read = SequentialFrames(source(), first=3)
    assert read(3, 8)[:, 0, 0, 0].tolist() == [3, 4, 5, 6, 7]
    assert read(6, 12)[:, 0, 0, 0].tolist() == [6, 7, 8, 9, 10, 11]
    assert read(14, 16)[:, 0, 0, 0].tolist() == [14, 15]  # a gap is skipped
    assert pulled == list(range(3, 16))
    with pytest.raises(ValueError, match="forward"):
        read(10, 12)
    with pytest.raises(VideofillError, match="ended"):
        read(15, 25)


# --- the driver ------------------------------------------------------------------------------------------------


class FakeInpaint:
    """Stands in for pipeline.inpaint_video: fills every hole pixel of a window with its first frame index."""

    def __init__(self, fail_at: int | None = None, spatial_fill=lambda first: None):
        self.calls: list[tuple[int, bool]] = []  # (first frame value, resume)
        self.fail_at = fail_at
        self.spatial_fill = spatial_fill  # first frame value -> the spatial fill "auto" chose there

    def __call__(self, frames, holes, config, *, run_dir=None, resume=False, **kwargs):
        first = int(frames[0, 0, 0, 0])
        if first == self.fail_at:
            raise KeyboardInterrupt
        self.calls.append((first, resume))
        return InpaintResult(np.where(holes[..., None], np.uint8(first), frames), notes=["perceptual loss off"],
                             spatial_fill=self.spatial_fill(first))


def _clip(count: int, height: int = 4, width: int = 5):
    """Frame i is all i (so the written order can be read back); holes: the left half of every frame."""
    frames = np.repeat(np.arange(count, dtype=np.uint8)[:, None, None, None], height * width * 3).reshape(count, height, width, 3)
    holes = np.zeros((count, height, width), bool)
    holes[:, :, : width // 2] = True
    return frames, holes


def _run(frames, holes, span, window=None, overlap=None, **kwargs):
    written = []
    config = get_preset("test")
    config = config.replace(window=window if window is not None else config.window, overlap=overlap if overlap is not None else config.overlap)
    notes = inpaint_stream(span, lambda s, e: frames[s:e], lambda s, e: holes[s:e], written.append, config, **kwargs)
    return np.stack(written), notes


def test_stream_writes_every_frame_once_in_order_and_crossfades(monkeypatch):
    fake = FakeInpaint()
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", fake)
    frames, holes = _clip(30)
    out, notes = _run(frames, holes, (2, 22), window=8, overlap=3)
    ranges = window_ranges(2, 22, 8, 3)  # (2, 10), (7, 15), (12, 20), (17, 22)
    assert [c[0] for c in fake.calls] == [s for s, _ in ranges]
    assert len(out) == 20
    known = ~holes[2:22]
    assert np.array_equal(out[known], frames[2:22][known])  # every frame once, in order, known pixels exact
    expected = np.zeros(20)  # hole value computed independently: a window's value, or the ramp between two
    for t in range(2, 22):
        inside = [s for s, e in ranges if s <= t < e]
        if len(inside) == 1:
            expected[t - 2] = inside[0]
        else:
            earlier, later = inside
            w = (t - later + 1) / 4  # overlap 3: weights 1/4, 2/4, 3/4 of the later window
            expected[t - 2] = np.round((1 - w) * earlier + w * later)
    assert np.array_equal(out[:, 0, 0, 0], expected)
    assert notes == ["perceptual loss off (frames 2..9, 7..14, 12..19, 17..21)"]


def test_stream_one_window_is_inpaint_video(monkeypatch):
    fake = FakeInpaint()
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", fake)
    frames, holes = _clip(12)
    out, notes = _run(frames, holes, (0, 12), window=0)
    assert fake.calls == [(0, False)] and notes == ["perceptual loss off"]
    assert np.array_equal(out, np.where(holes[..., None], 0, frames))


def test_stream_resume_skips_finished_windows(monkeypatch, tmp_path):
    frames, holes = _clip(20)
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", FakeInpaint())
    whole, _ = _run(frames, holes, (0, 20), window=8, overlap=3)

    run_dir = tmp_path / "run"
    interrupted = FakeInpaint(fail_at=10)  # dies in the third window
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(frames, holes, (0, 20), window=8, overlap=3, run_dir=run_dir)
    assert interrupted.calls == [(0, False), (5, False)]
    assert (run_dir / "window_00000" / "result.npy").exists() and not (run_dir / "window_00002" / "result.npy").exists()

    resumed = FakeInpaint()
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", resumed)
    out, _ = _run(frames, holes, (0, 20), window=8, overlap=3, run_dir=run_dir, resume=True)
    assert resumed.calls == [(10, True), (15, True)]  # the finished windows were reloaded, not recomputed
    assert np.array_equal(out, whole)

    with pytest.raises(VideofillError, match="other frames or settings"):  # another --start: refused, not mixed up
        _run(frames, holes, (1, 20), window=8, overlap=3, run_dir=run_dir, resume=True)
    for damaged in ("[]", "{not json", '{"start": 0, "end": 8}'):  # a damaged window file: refused in one line
        (run_dir / "window_00000" / "window.json").write_text(damaged)
        with pytest.raises(VideofillError, match="other frames or settings"):
            _run(frames, holes, (0, 20), window=8, overlap=3, run_dir=run_dir, resume=True)


def test_windows_computed_apart_then_merged_equal_the_serial_stream(monkeypatch, tmp_path):
    """What the batch runner's --split-windows does: each window alone (here in reverse order), then a resumed
    stream only reloads and cross-fades them."""
    frames, holes = _clip(20)
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", FakeInpaint())
    whole, _ = _run(frames, holes, (0, 20), window=8, overlap=3)

    config = get_preset("test").replace(window=8, overlap=3)
    run_dir = tmp_path / "run"
    apart = FakeInpaint()
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", apart)
    ranges = window_ranges(0, 20, 8, 3)
    for index in reversed(range(len(ranges))):
        s, e = ranges[index]
        result, answer = inpaint_window((s, e), frames[s:e], holes[s:e], config, window_folder(run_dir, index))
        assert answer is not None and np.array_equal(result, answer.frames)
    assert [c[0] for c in apart.calls] == [s for s, _ in reversed(ranges)]
    again, answer = inpaint_window(ranges[1], frames[5:13], holes[5:13], config, window_folder(run_dir, 1), resume=True)
    assert answer is None and np.array_equal(again[holes[5:13]], np.full((holes[5:13].sum(), 3), 5))  # reloaded

    merge = FakeInpaint()
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", merge)
    out, _ = _run(frames, holes, (0, 20), window=8, overlap=3, run_dir=run_dir, resume=True)
    assert merge.calls == [] and np.array_equal(out, whole)


def test_each_windows_spatial_fill_is_noted_also_when_it_is_reloaded(monkeypatch, tmp_path):
    frames, holes = _clip(20)

    def choice(first):
        return "thin plate" if first == 0 else "membrane"

    monkeypatch.setattr(videofill.pipeline, "inpaint_video", FakeInpaint(spatial_fill=choice))
    config = get_preset("test").replace(window=8, overlap=3)
    run_dir = tmp_path / "run"
    for index, (s, e) in enumerate(window_ranges(0, 20, 8, 3)):  # as the batch runner does, one by one
        inpaint_window((s, e), frames[s:e], holes[s:e], config, window_folder(run_dir, index))
    merge = FakeInpaint()
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", merge)
    _, notes = _run(frames, holes, (0, 20), window=8, overlap=3, run_dir=run_dir, resume=True)
    assert merge.calls == [] and notes == [  # every window reloaded, each says what it chose
        ("spatial fill: thin plate (chosen on trial copies of the holes; --spatial-fill 'thin plate' fixes it) "
         "(frames 0..7)"),
        ("spatial fill: membrane (chosen on trial copies of the holes; --spatial-fill membrane fixes it) "
         "(frames 5..12, 10..17, 15..19)"),
    ]
    monkeypatch.setattr(videofill.pipeline, "inpaint_video", FakeInpaint(spatial_fill=choice))
    fixed = get_preset("test").replace(window=8, overlap=3, spatial_fill="membrane")  # nothing chosen: no such note
    notes = inpaint_stream((0, 20), lambda s, e: frames[s:e], lambda s, e: holes[s:e], lambda f: None, fixed)
    assert not any(note.startswith("spatial fill") for note in notes)


def test_masks_are_read_by_absolute_frame(tmp_path):
    holes = np.random.default_rng(1).random((9, 6, 8)) < 0.3
    write_masks(tmp_path / "m", holes)
    np.testing.assert_array_equal(read_masks(tmp_path / "m", 4, (8, 6), start=0, total=9), holes[:4])
    np.testing.assert_array_equal(read_masks(tmp_path / "m", 3, (8, 6), start=6, total=9), holes[6:])
    with pytest.raises(VideofillError, match="9 masks .* but 10 frames"):
        read_masks(tmp_path / "m", 4, (8, 6), start=0, total=10)
