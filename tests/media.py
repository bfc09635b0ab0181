"""Test media made by code: small clips, videos with audio (shared by the I/O and CLI tests)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def smooth_clip(count: int = 8, height: int = 48, width: int = 64) -> np.ndarray:
    """A smooth moving pattern (compresses well, so a lossy round trip is close): uint8 (T, H, W, 3)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    frames = [
        np.stack([128 + 90 * np.sin((x + 2 * t) / 16), 128 + 90 * np.cos(y / 13 + t / 5), 64 + (x + y) * 0.8], axis=-1)
        for t in range(count)
    ]
    return np.clip(np.round(frames), 0, 255).astype(np.uint8)


def noise_clip(count: int = 5, height: int = 17, width: int = 33, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, height, width, 3), dtype=np.uint8)


def make_video_with_audio(path: Path, frame_count: int = 12, fps: int = 24, seconds: float = 0.5, codec: str = "aac") -> None:
    """A small video with a 440 Hz sine tone, written with PyAV directly (independent of VideoWriter)."""
    options = {"strict": "experimental"} if codec == "vorbis" else {}
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream(codec, rate=44100, layout="stereo", options=options)
        for i, frame in enumerate(smooth_clip(frame_count)):
            vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
            vf.pts = i
            out.mux(video.encode(vf))
        n = int(44100 * seconds)
        tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / 44100)).astype(np.float32)
        for k in range(0, n, 1024):
            chunk = np.ascontiguousarray(np.repeat(tone[None, k : k + 1024], 2, axis=0))
            af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            af.sample_rate, af.pts = 44100, k
            out.mux(audio.encode(af))
        out.mux(audio.encode(None))
        out.mux(video.encode(None))


def audio_seconds(path: Path) -> float:
    """Duration of the decoded first audio stream, from its samples."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        return sum(frame.samples for frame in container.decode(stream)) / stream.codec_context.sample_rate
