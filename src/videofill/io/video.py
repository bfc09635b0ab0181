"""Reading clips: video files (anything FFmpeg reads through PyAV: mp4, mov, mkv, avi, webm, ...) and frame folders.

:func:`probe` says what a clip is (size, frame count, frame rate as a :class:`fractions.Fraction`, audio);
:func:`iter_frames` decodes it front to back, one uint8 (H, W, 3) RGB frame at a time; :func:`read_frames` returns
(T, H, W, 3). A folder of frames has no frame rate of its own: :data:`FOLDER_FPS` is assumed, and said.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from videofill.errors import VideofillError
from videofill.io.images import (
    is_image_file,
    list_images,
    read_image,
    size_text,
    to_rgb8,
)

#: Frame rate reported for a folder of frames.
FOLDER_FPS = Fraction(25)



@dataclass
class VideoInfo:
    """What :func:`probe` found out about a video file or a frame folder."""

    path: Path  # the file or folder probed
    width: int  # frame width in pixels
    height: int  # frame height in pixels
    frame_count: int  # number of frames
    fps: Fraction  # frame rate as a fraction, e.g. Fraction(30000, 1001); FOLDER_FPS for a folder
    pix_fmt: str | None  # the decoder's pixel format ("yuv420p"); None for a folder
    has_audio: bool  # the file has at least one audio stream
    is_folder: bool  # a folder of images rather than a video file



def check_exists(path: Path) -> None:
    if not path.exists():
        raise VideofillError(f"{path} does not exist")



def error_reason(err: BaseException) -> str:
    return getattr(err, "strerror", None) or type(err).__name__



#: FFmpeg demuxers that read any text file as a video (of its characters drawn in a terminal font): refused.
TEXT_DEMUXERS = ("tty",)


def _open_video(path: Path) -> av.container.InputContainer:
    """Open a video file with PyAV, turning every failure into a one-line VideofillError."""
    if path.is_file() and is_image_file(path):
        raise VideofillError(f"{path} is a single image, not a video; pass a video file or a folder of frames")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as err:
        raise VideofillError(f"cannot read {path}: not a video, or the file is corrupt ({error_reason(err)})") from None
    if container.format.name in TEXT_DEMUXERS:  # FFmpeg renders a text file as a video of its characters
        container.close()
        raise VideofillError(f"{path} is a text file, not a video")
    if not container.streams.video:
        container.close()
        raise VideofillError(f"{path} has no video stream")
    return container



def _stream_fps(stream: av.video.stream.VideoStream) -> Fraction:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate > 0:
            return Fraction(rate.numerator, rate.denominator)
    return FOLDER_FPS



def probe(path: str | os.PathLike) -> VideoInfo:
    """Size, frame count, frame rate and audio of a video file or a folder of frames.

    The frame count is the container's when it states one, else the number of decodable frames. For a folder only
    the first image is decoded (:func:`iter_frames` checks the others' sizes).

    Args:
        path: a video file or a folder of images.

    Returns:
        :class:`VideoInfo`; ``fps`` is the stream's average (else guessed) rate as a Fraction.

    Raises:
        VideofillError: missing path, not a video, corrupt file, empty folder, no frames.
    """
    path = Path(path)
    check_exists(path)
    if path.is_dir():
        files = list_images(path)
        first = to_rgb8(read_image(files[0]))
        return VideoInfo(path, first.shape[1], first.shape[0], len(files), FOLDER_FPS, None, False, True)
    with _open_video(path) as container:
        stream = container.streams.video[0]
        count = stream.frames or 0
        if count <= 0:
            count = sum(1 for _ in _decode(container, path))
        if count == 0:
            raise VideofillError(f"{path} contains no video frames")
        ctx = stream.codec_context
        return VideoInfo(
            path=path,
            width=int(ctx.width),
            height=int(ctx.height),
            frame_count=int(count),
            fps=_stream_fps(stream),
            pix_fmt=ctx.pix_fmt,
            has_audio=bool(container.streams.audio),
            is_folder=False,
        )



def _decode(container: av.container.InputContainer, path: Path) -> Iterator[av.VideoFrame]:
    """The decoded frames of the first video stream; decoding failures become VideofillError."""
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    index = 0
    try:
        for frame in container.decode(stream):
            yield frame
            index += 1
    except av.error.FFmpegError as err:
        raise VideofillError(f"{path} is corrupt or truncated: decoding failed after {index} frames ({error_reason(err)})") from None



def _check_range(start: int, end: int | None) -> None:
    if start < 0 or (end is not None and end < start):
        raise ValueError(f"expected 0 <= start <= end, got start={start}, end={end}")



def iter_frames(path: str | os.PathLike, start: int = 0, end: int | None = None) -> Iterator[np.ndarray]:
    """Yield the frames ``start, ..., end - 1`` of a video file or folder one by one (memory does not grow with length).

    Args:
        path: a video file or a folder of images.
        start: index of the first frame to yield.
        end: index one past the last frame to yield; None for the end of the clip (a larger value is clipped).

    Returns:
        an iterator of uint8 ``(H, W, 3)`` RGB frames.

    Raises:
        VideofillError: missing path, not a video, corrupt or truncated file, no frames, empty folder, or images of
            different sizes in a folder (raised by the iteration when it reaches the bad file).
    """
    path = Path(path)
    _check_range(start, end)
    check_exists(path)
    if path.is_dir():
        return _iter_folder(path, list_images(path), start, end)
    _open_video(path).close()  # fail now, not at the first next(), when the file is not a video
    return _iter_video(path, start, end)



def _iter_folder(folder: Path, files: list[Path], start: int, end: int | None) -> Iterator[np.ndarray]:
    first: np.ndarray | None = None
    for file in files[start:end]:
        frame = to_rgb8(read_image(file))
        if first is None:
            first, first_file = frame, file
        elif frame.shape != first.shape:
            raise VideofillError(
                f"{file} is {size_text(frame)} but {first_file.name} is {size_text(first)}: "
                f"all frames in {folder} must have the same size"
            )
        yield frame



def _iter_video(path: Path, start: int, end: int | None) -> Iterator[np.ndarray]:
    with _open_video(path) as container:
        declared = container.streams.video[0].frames or 0
        index = 0
        for frame in _decode(container, path):
            if end is not None and index >= end:
                return
            if index >= start:
                yield frame.to_ndarray(format="rgb24")
            index += 1
    if index == 0:
        raise VideofillError(f"{path} contains no video frames")
    if declared > index:
        raise VideofillError(f"{path} is truncated: it declares {declared} frames but only {index} could be decoded")



def read_frames(path: str | os.PathLike, start: int = 0, end: int | None = None) -> np.ndarray:
    """All frames ``start, ..., end - 1`` of a video file or folder in one array.

    Args:
        path: a video file or a folder of images.
        start: index of the first frame.
        end: index one past the last frame; None for the end of the clip.

    Returns:
        uint8 ``(T, H, W, 3)`` RGB, ``T >= 1``.

    Raises:
        VideofillError: as :func:`iter_frames`, and when the range holds no frame.
    """
    frames = list(iter_frames(path, start, end))
    if not frames:
        raise VideofillError(f"{path} has no frames from index {start} on")
    out = np.empty((len(frames), *frames[0].shape), dtype=np.uint8)
    for i in range(len(frames)):
        out[i] = frames[i]
        frames[i] = None  # type: ignore[call-overload]  # free as we go: peak memory ~ one clip, not two
    return out



def has_audio(path: Path) -> bool:
    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio)
    except (av.error.FFmpegError, OSError, ValueError):
        return False

