"""Tests of videofill.io.video: frame folders and videos, reading, atomic writing, audio copy, errors."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from media import audio_seconds, make_video_with_audio, noise_clip, smooth_clip

from videofill.errors import VideofillError
from videofill.io.images import is_video_file
from videofill.io.video import FOLDER_FPS, iter_frames, probe, read_frames
from videofill.io.writer import VideoWriter, write_frames

NTSC = Fraction(30000, 1001)










# --- round trips ---------------------------------------------------------------------------------------------


def test_png_folder_round_trip_is_bit_exact(tmp_path):
    frames = noise_clip()
    out = write_frames(tmp_path / "frames", frames, 24)
    assert sorted(p.name for p in out.iterdir()) == [f"{i:05d}.png" for i in range(5)]
    np.testing.assert_array_equal(read_frames(out), frames)
    info = probe(out)
    assert (info.width, info.height, info.frame_count, info.fps) == (33, 17, 5, FOLDER_FPS)
    assert info.is_folder and not info.has_audio and info.pix_fmt is None


@pytest.mark.parametrize("suffix", [".mp4", ".mkv", ".mov"])
def test_video_round_trip_is_close_and_keeps_the_rational_fps(tmp_path, suffix):
    frames = smooth_clip(10)
    path = write_frames(tmp_path / f"clip{suffix}", frames, NTSC)
    info = probe(path)
    assert info.fps == NTSC and isinstance(info.fps, Fraction)
    assert (info.width, info.height, info.frame_count) == (64, 48, 10)
    assert info.pix_fmt == "yuv420p" and not info.is_folder and not info.has_audio
    got = read_frames(path)
    assert got.shape == frames.shape and got.dtype == np.uint8
    assert np.abs(got.astype(int) - frames).mean() < 3.0


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_lossless_video_is_bit_exact_even_with_odd_sizes(tmp_path, suffix):
    frames = noise_clip(height=17, width=33)
    path = write_frames(tmp_path / f"clip{suffix}", frames, 24, lossless=True)
    assert (probe(path).width, probe(path).height) == (33, 17)
    np.testing.assert_array_equal(read_frames(path), frames)


def test_odd_sized_frames_are_padded_by_repeating_the_last_row_and_column(tmp_path):
    frames = smooth_clip(4, height=47, width=63)
    frames[:, :, -1] = (255, 0, 0)  # a distinctive last column and row: the padding must repeat them
    frames[:, -1, :] = (0, 0, 255)
    with pytest.warns(UserWarning, match="even sides"):
        path = write_frames(tmp_path / "odd.mp4", frames, 24)
    info = probe(path)
    assert (info.width, info.height) == (64, 48)  # padded, not rescaled
    got = read_frames(path).astype(int)
    assert got.shape == (4, 48, 64, 3)
    assert np.abs(got[:, :45, :61] - frames[:, :45, :61]).mean() < 3.0  # away from the saturated edges
    assert np.abs(got[:, 1:40, 63] - (255, 0, 0)).mean() < 20  # replicated red column
    assert np.abs(got[:, 47, 1:55] - (0, 0, 255)).mean() < 20  # replicated blue row


def test_iter_frames_streams_and_slices(tmp_path):
    frames = noise_clip(count=6)
    folder = write_frames(tmp_path / "f", frames, 24)
    video = write_frames(tmp_path / "v.mkv", frames, 24, lossless=True)
    for path in (folder, video):
        iterator = iter_frames(path, start=2, end=5)
        assert not isinstance(iterator, (list, np.ndarray))
        first = next(iterator)
        np.testing.assert_array_equal(first, frames[2])
        np.testing.assert_array_equal(np.stack([first, *iterator]), frames[2:5])
        np.testing.assert_array_equal(read_frames(path, 4), frames[4:])
        np.testing.assert_array_equal(read_frames(path, 0, 100), frames)
    with pytest.raises(ValueError):
        read_frames(folder, 3, 1)


def test_is_video_file():
    assert is_video_file("a/b.MP4") and is_video_file("x.mkv") and is_video_file("x.webm") and is_video_file("x.avi")
    assert not is_video_file("frames") and not is_video_file("x.png") and not is_video_file("x.txt")


# --- audio ---------------------------------------------------------------------------------------------------


def test_audio_is_copied_from_the_input(tmp_path):
    source = tmp_path / "with_audio.mp4"
    make_video_with_audio(source)
    assert probe(source).has_audio
    frames = read_frames(source)
    for suffix in (".mp4", ".mkv"):
        out = write_frames(tmp_path / f"out{suffix}", frames, probe(source).fps, audio_from=source)
        assert probe(out).has_audio
        with av.open(str(out)) as container:
            assert container.streams.audio[0].codec_context.name == "aac"  # copied, not re-encoded to another codec
        assert 0.4 < audio_seconds(out) < 0.6
    short = write_frames(tmp_path / "short.mp4", frames[:6], 24, audio_from=source)  # 0.25 s of video
    assert 0.15 < audio_seconds(short) < 0.35  # the audio is cut at the end of the video


def test_audio_from_a_silent_video_gives_a_silent_output(tmp_path):
    source = write_frames(tmp_path / "silent.mp4", smooth_clip(4), 24)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = write_frames(tmp_path / "out.mp4", smooth_clip(4), 24, audio_from=source)
    assert not probe(out).has_audio


def test_audio_that_the_container_cannot_hold_is_dropped_with_one_warning(tmp_path):
    source = tmp_path / "vorbis.mkv"
    make_video_with_audio(source, codec="vorbis")
    with pytest.warns(UserWarning, match="vorbis") as record:
        out = write_frames(tmp_path / "out.mov", smooth_clip(12), 24, audio_from=source)
    assert len(record) == 1
    assert not probe(out).has_audio and probe(out).frame_count == 12
    with pytest.warns(UserWarning, match="audio"):
        write_frames(tmp_path / "pngs", smooth_clip(2), 24, audio_from=source)


# --- atomic writing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.mp4", "out"])
def test_an_exception_inside_the_with_leaves_nothing(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(RuntimeError):
        with VideoWriter(path, 24) as writer:
            for frame in smooth_clip(3):
                writer.write(frame)
            raise RuntimeError("boom")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary left behind either


@pytest.mark.parametrize("name", ["out.mp4", "out"])
def test_nothing_appears_at_the_path_before_a_clean_close(tmp_path, name):
    path = tmp_path / name
    with VideoWriter(path, 24) as writer:
        for frame in smooth_clip(3):
            writer.write(frame)
        assert not path.exists()
        assert all(p.name.startswith(".") for p in tmp_path.iterdir())  # only a hidden temporary sibling
    assert path.exists() and [p.name for p in tmp_path.iterdir()] == [name]
    assert probe(path).frame_count == 3


@pytest.mark.parametrize("name", ["out.mp4", "out"])
def test_an_existing_output_is_refused_without_overwrite(tmp_path, name):
    path = write_frames(tmp_path / name, smooth_clip(2), 24)
    before = read_frames(path)
    with pytest.raises(VideofillError, match=name):
        VideoWriter(path, 24)
    with pytest.raises(VideofillError, match="already exists"):
        write_frames(path, smooth_clip(5), 24)
    np.testing.assert_array_equal(read_frames(path), before)
    write_frames(path, smooth_clip(5), 24, overwrite=True)
    assert probe(path).frame_count == 5
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_writing_nothing_fails_and_a_missing_folder_is_made(tmp_path):
    write_frames(tmp_path / "new" / "out.mp4", smooth_clip(2), 24)
    assert probe(tmp_path / "new" / "out.mp4").frame_count == 2
    shutil.rmtree(tmp_path / "new")
    with pytest.raises(VideofillError, match="no frames"):
        with VideoWriter(tmp_path / "empty.mp4", 24):
            pass
    assert list(tmp_path.iterdir()) == []
    for refused in ("out.avi", "out.gif", "frames.png", "out.txt"):
        with pytest.raises(VideofillError, match="must end in .mp4, .mkv or .mov"):
            VideoWriter(tmp_path / refused, 24)
    with pytest.raises(VideofillError, match="crf"):
        VideoWriter(tmp_path / "out.mp4", 24, crf=60)


def test_write_rejects_frames_that_are_not_uint8_rgb(tmp_path):
    with pytest.raises(ValueError):
        with VideoWriter(tmp_path / "out", 24) as writer:
            writer.write(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="first frame"):
        with VideoWriter(tmp_path / "out", 24) as writer:
            writer.write(np.zeros((8, 8, 3), np.uint8))
            writer.write(np.zeros((8, 10, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


# --- bad inputs ----------------------------------------------------------------------------------------------


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n")
    good = write_frames(tmp_path / "good.mp4", noise_clip(30, 64, 64), 24)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    zero = tmp_path / "zero.mp4"
    with av.open(str(zero), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        out.start_encoding()
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    cv2.imwrite(str(mixed / "00000.png"), np.zeros((8, 8, 3), np.uint8))
    cv2.imwrite(str(mixed / "00001.png"), np.zeros((8, 9, 3), np.uint8))
    notes = tmp_path / "notes.txt"  # FFmpeg's tty demuxer would draw it as a video
    notes.write_text("a README, given as the input by mistake\n" * 40)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no images here")
    return {
        "missing": tmp_path / "missing.mp4",
        "text renamed .mp4": text,
        "text file": notes,
        "truncated": truncated,
        "zero frames": zero,
        "mixed sizes": mixed,
        "empty folder": empty,
    }


@pytest.mark.parametrize("case", ["missing", "text renamed .mp4", "text file", "truncated", "zero frames", "mixed sizes", "empty folder"])
def test_bad_inputs_raise_a_videofill_error_naming_the_file(tmp_path, case):
    path = _bad_inputs(tmp_path)[case]
    with pytest.raises(VideofillError) as err:
        read_frames(path)
    assert path.name in str(err.value) and "\n" not in str(err.value)
    if case not in ("mixed sizes", "truncated"):  # probe reads only the header / first image
        with pytest.raises(VideofillError, match=path.name):
            probe(path)


def test_mixed_sizes_message_names_the_odd_file(tmp_path):
    with pytest.raises(VideofillError, match="00001.png"):
        read_frames(_bad_inputs(tmp_path)["mixed sizes"])


def test_shared_tiny_case_reads_as_rgb(tiny_dir, tiny_case):
    frames, _ = tiny_case
    np.testing.assert_array_equal(read_frames(tiny_dir / "frames"), frames)
    info = probe(tiny_dir / "frames")
    assert (info.width, info.height, info.frame_count) == (96, 48, 12)


# --- property test: any PNG frame folder reads back as the expected uint8 RGB ---------------------------------


def _expected_rgb8(image: np.ndarray) -> np.ndarray:
    """What a reader must return for an image written by cv2 (BGR(A) order), computed independently."""
    if image.dtype == np.uint16:
        image = np.round(image / 257.0).astype(np.uint8)
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)
    return image[..., [2, 1, 0]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 24),
    height=st.integers(1, 24),
    count=st.integers(1, 3),
    dtype=st.sampled_from([np.uint8, np.uint16]),
    channels=st.sampled_from([1, 3, 4]),
    seed=st.integers(0, 2**16),
)
def test_frame_folder_reader_property(width, height, count, dtype, channels, seed):
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels == 1 else (height, width, channels)
    images = [rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype) for _ in range(count)]
    with tempfile.TemporaryDirectory() as folder:
        for i, image in enumerate(images):
            assert cv2.imwrite(str(Path(folder) / f"{i:05d}.png"), image)
        got = read_frames(folder)
        assert got.dtype == np.uint8 and got.shape == (count, height, width, 3)
        np.testing.assert_array_equal(got, np.stack([_expected_rgb8(im) for im in images]))
        info = probe(folder)
        assert (info.width, info.height, info.frame_count) == (width, height, count)


# --- property test: TIFF frames (8/16-bit and float) read as the documented uint8 RGB; signed ones are refused ---


def _expected_rgb8_any(image: np.ndarray) -> np.ndarray:
    """As :func:`_expected_rgb8`, also for float images: [0, 1] -> 0..255, rounded half up, outside values clipped."""
    if np.issubdtype(image.dtype, np.floating):
        image = np.floor(np.clip(image.astype(np.float64), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return _expected_rgb8(image)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 24),
    height=st.integers(1, 24),
    dtype=st.sampled_from([np.uint8, np.uint16, np.float32]),
    channels=st.sampled_from([1, 3, 4]),
    seed=st.integers(0, 2**16),
)
def test_tiff_frame_reader_property(width, height, dtype, channels, seed):
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels == 1 else (height, width, channels)
    if dtype == np.float32:  # a little outside [0, 1] too: clipped
        images = [rng.uniform(-0.25, 1.25, shape).astype(np.float32) for _ in range(2)]
    else:
        images = [rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype) for _ in range(2)]
    with tempfile.TemporaryDirectory() as folder:
        for i, image in enumerate(images):
            assert cv2.imwrite(str(Path(folder) / f"{i:05d}.tif"), image)
        got = read_frames(folder)
    assert got.dtype == np.uint8 and got.shape == (2, height, width, 3)
    np.testing.assert_array_equal(got, np.stack([_expected_rgb8_any(im) for im in images]))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dtype=st.sampled_from([np.int8, np.int16, np.int32]),
    channels=st.sampled_from([1, 3]),
    index=st.integers(0, 2),
)
def test_signed_integer_frames_are_refused_naming_the_file(dtype, channels, index):
    shape = (6, 7) if channels == 1 else (6, 7, channels)
    with tempfile.TemporaryDirectory() as folder:
        for i in range(3):
            name, image = (f"{i:05d}.tif", np.ones(shape, dtype)) if i == index else (f"{i:05d}.png", np.ones(shape, np.uint8))
            assert cv2.imwrite(str(Path(folder) / name), image)
        with pytest.raises(VideofillError) as err:
            read_frames(folder)
    message = str(err.value)
    assert f"{index:05d}.tif" in message and np.dtype(dtype).name in message and "\n" not in message
