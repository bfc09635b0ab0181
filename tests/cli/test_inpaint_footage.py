"""``videofill inpaint`` (videofill.cli.inpaint) on real-footage shapes: long clips in windows, --start/--end, odd
and portrait sizes, audio.

Every run uses the ``test`` preset on a few small synthetic frames (seconds, not minutes).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from media import audio_seconds, make_video_with_audio

from videofill.cli import main
from videofill.io.masks import read_masks, write_masks
from videofill.io.video import FOLDER_FPS, iter_frames, probe, read_frames
from videofill.io.writer import VideoWriter, write_frames

pytestmark = pytest.mark.slow  # whole runs on synthetic footage


def synthetic_case(folder: Path, count: int, width: int, height: int) -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """A drifting texture with a disc hole moving across it, written as PNG frames and masks (255 = hole)."""
    y, x = np.mgrid[0:height, 0:width]
    frames = np.stack(
        [np.stack([(3 * x + 5 * t) % 256, (4 * y + 3 * t) % 256, (2 * (x + y) + t) % 256], axis=-1) for t in range(count)]
    ).astype(np.uint8)
    radius = max(3, min(width, height) // 6)
    holes = np.stack(
        [(x - (radius + t * (width - 2 * radius) // count)) ** 2 + (y - height // 2) ** 2 < radius**2 for t in range(count)]
    )
    write_frames(folder / "frames", frames, FOLDER_FPS)
    write_masks(folder / "masks", holes)
    return folder / "frames", folder / "masks", frames, holes


def inpaint(*args: str) -> None:
    assert main(["inpaint", *map(str, args), "--preset", "test", "--quiet"]) == 0


def test_long_clip_in_windows_keeps_every_frame_and_known_pixel(tmp_path):
    source, masks, frames, holes = synthetic_case(tmp_path, 16, 85, 49)  # odd size, 3 windows of 8 sharing 3
    inpaint(source, masks, "-o", tmp_path / "out", "--window", "8", "--overlap", "3")
    out = read_frames(tmp_path / "out")
    assert out.shape == frames.shape  # all frames, at their exact (odd) size
    assert np.array_equal(out[~holes], frames[~holes])  # known pixels bit-exact (PNG output)
    assert (out[holes] != frames[holes]).mean() > 0.5  # the holes were filled
    assert not (tmp_path / "out.checkpoint").exists()  # the run folder is removed after success


def test_a_mask_video_is_decoded_once_across_windows(tmp_path, monkeypatch):
    import videofill.io.masks

    source, _, frames, holes = synthetic_case(tmp_path, 16, 48, 32)
    mask_video = tmp_path / "masks.mkv"
    with VideoWriter(mask_video, Fraction(25), lossless=True) as writer:
        for hole in holes:
            writer.write(np.repeat(hole[..., None] * np.uint8(255), 3, axis=2))
    calls, decoded = [], []

    def counting(*args, **kwargs):  # the masks module's video reader: each call decodes from the video's start
        calls.append(args[1:])
        for frame in iter_frames(*args, **kwargs):
            decoded.append(frame)
            yield frame

    monkeypatch.setattr(videofill.io.masks, "iter_frames", counting)
    inpaint(source, mask_video, "-o", tmp_path / "out", "--window", "6", "--overlap", "2", "--start", "1")
    assert calls == [(1, 16)]  # one pass over the mask video for all 4 windows...
    assert len(decoded) == len(frames) - 1  # ...yielding frames 1..15 once each
    out = read_frames(tmp_path / "out")
    assert np.array_equal(out[~holes], frames[~holes])


def test_start_end_copies_the_other_frames_through_on_portrait_input(tmp_path):
    source, masks, frames, holes = synthetic_case(tmp_path, 14, 33, 57)  # portrait, odd sides
    inpaint(source, masks, "-o", tmp_path / "out", "--start", "0.12s", "--end", "9")  # 0.12 s at 25 fps: frame 3
    out = read_frames(tmp_path / "out")
    assert out.shape == frames.shape
    assert np.array_equal(out[:3], frames[:3]) and np.array_equal(out[9:], frames[9:])  # untouched, bit for bit
    part = slice(3, 9)
    assert np.array_equal(out[part][~holes[part]], frames[part][~holes[part]])
    assert (out[part][holes[part]] != frames[part][holes[part]]).mean() > 0.5


def test_audio_and_frame_rate_are_kept(tmp_path):
    source = tmp_path / "with_audio.mp4"
    make_video_with_audio(source, frame_count=12, fps=24)  # 64x48, 0.5 s of a 440 Hz tone
    hole = np.zeros((48, 64), bool)
    hole[16:32, 20:40] = True
    write_masks(tmp_path / "masks", hole[None])
    mask = tmp_path / "masks" / "00000.png"  # one image for every frame
    out = tmp_path / "out.mp4"
    inpaint(source, mask, "-o", out, "--start", "2", "--window", "6", "--overlap", "2", "--lossless")
    info = probe(out)
    assert info.has_audio and info.fps == Fraction(24) and info.frame_count == 12
    assert 0.4 < audio_seconds(out) < 0.6
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
    result, original = read_frames(out), read_frames(source)
    holes = read_masks(mask, 12, (64, 48))
    assert np.array_equal(result[:2], original[:2])  # lossless: the copied frames are the decoded input's
    assert np.array_equal(result[~holes], original[~holes])


def test_bad_ranges_are_one_line_errors(tmp_path, capsys):
    source, masks, _, _ = synthetic_case(tmp_path, 6, 16, 16)
    for flags, message in (
        (["--start", "6"], "has 6 frames"),
        (["--start", "3", "--end", "2"], "must come after"),
        (["--start", "soon"], "expected a frame number"),
        (["--window", "3"], "--window must be"),
        (["--window", "6", "--overlap", "4", "--end", "100"], None),  # one window: the overlap does not matter
    ):
        code = main(["inpaint", str(source), str(masks), "-o", str(tmp_path / "out"), "--preset", "test", "--quiet",
                     "--overwrite", *flags])
        if message is None:
            assert code == 0
        else:
            assert code == 2 and message in capsys.readouterr().err
