"""Writing clips: :class:`VideoWriter`, H.264 video with the source's audio copied, or a folder of PNG frames.

- ``.mp4``, ``.mkv``, ``.mov``: H.264 (libx264), ``yuv420p``, BT.709 limited range (tagged), quality ``crf``.
  ``yuv420p`` needs an even width and height: a frame with an odd side is padded by one row/column that repeats
  the last one (never rescaled), so the file is up to 1 px wider/taller than the frames.
  ``lossless=True``: libx264rgb with ``qp=0`` on ``rgb24`` -- bit-exact RGB at the frames' own size (odd sizes
  too); many players cannot show it, use it for evaluation.
- any other path: a folder of PNG frames ``00000.png``, ``00001.png``, ... (bit-exact, no audio).

The output is written under a temporary name beside the final one and moved into place when complete
(:mod:`videofill.io.atomic`), so a failed run leaves nothing at the output path.
"""

from __future__ import annotations

import io
import os
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Iterable

import av
import numpy as np

from videofill.errors import VideofillError
from videofill.io.atomic import move_into_place, remove_path, temporary_sibling
from videofill.io.images import size_text, write_png
from videofill.io.video import check_exists, error_reason, has_audio

#: Endings :class:`VideoWriter` writes as H.264 video; a path without an ending is a PNG folder; others are refused.
WRITABLE_VIDEO_EXTENSIONS = (".mp4", ".mkv", ".mov")



_CONTAINER_FORMATS = {".mp4": "mp4", ".mkv": "matroska", ".mov": "mov"}



def check_output_path(
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike | None] = (),
    create: bool = True,
) -> str:
    """The one rule for output paths, checked before any work; returns ``"video"`` or ``"frames"``.

    A path ending in ``.mp4``, ``.mkv`` or ``.mov`` is an H.264 video; a path with no file ending is a folder of PNG
    frames; anything else (``.gif``, ``.avi``, ``.png``, ...) is refused. A missing parent folder is created.

    Args:
        path: the output.
        overwrite: an existing output may be replaced (at the end, when the new one is complete).
        inputs: paths the run reads (its video, its masks): the output may be none of them, even with ``overwrite``.
        create: make a missing parent folder now; False only checks that it can be made (a run checking its output
            before its inputs, so bad input leaves nothing behind; the writer makes it).

    Raises:
        VideofillError: another ending, an output that is one of ``inputs`` or exists without ``overwrite``, a parent
            that cannot be made or written to.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix and suffix not in WRITABLE_VIDEO_EXTENSIONS:
        raise VideofillError(
            f"cannot write {path}: the output must end in .mp4, .mkv or .mov (a video), or have no ending (a folder of PNG frames)"
        )
    target = path.resolve()
    for source in inputs:
        if source is not None and Path(source).resolve() == target:
            raise VideofillError(f"the output {path} is also an input of this run; choose another output path")
    if path.exists() and not overwrite:
        raise VideofillError(f"{path} already exists; pass --overwrite to replace it")
    parent = path.absolute().parent
    if create:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise VideofillError(f"cannot create the output folder {parent}: {err.strerror}") from None
    existing = next(folder for folder in (parent, *parent.parents) if folder.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise VideofillError(f"output folder {existing} is not writable (for {path.name})")
    return "video" if suffix else "frames"


def _as_fraction(fps: Fraction | float | int | str) -> Fraction:
    try:
        rate = Fraction(fps)
    except (TypeError, ValueError):
        raise ValueError(f"expected a frame rate such as Fraction(30000, 1001), 25 or '24000/1001', got {fps!r}") from None
    if isinstance(fps, float):
        rate = rate.limit_denominator(100_000)  # 29.97 -> 2997/100, not a 50-digit binary fraction
    if rate <= 0:
        raise ValueError(f"frame rate must be positive, got {fps!r}")
    return rate






class VideoWriter:
    """Write frames one by one to a video file or a folder of PNGs, atomically.

    The frames go to a hidden temporary sibling of ``path`` (same folder), which is renamed to ``path`` only when
    the writer closes cleanly; if the ``with`` block raises, the temporary is deleted and ``path`` is left as it was.
    See the module docstring for the formats (H.264 ``yuv420p`` pads an odd width/height by repeating the last
    column/row; ``lossless`` uses libx264rgb ``qp=0``, bit-exact RGB).

    Args:
        path: ``.mp4``/``.mkv``/``.mov`` for a video; any other path (no video or image ending) for a PNG folder.
        fps: frame rate, best a Fraction (``Fraction(30000, 1001)``); an int, a float or ``"30000/1001"`` also works.
        crf: H.264 quality, 0 (best) to 51; ignored when lossless or for PNG folders.
        lossless: bit-exact video (libx264rgb, rgb24, qp 0).
        audio_from: a video whose first audio stream is copied (not re-encoded) into the output, cut at the end of
            the written video. Nothing happens when it has no audio; when the output cannot hold that codec (or is
            a PNG folder) a warning says the audio is dropped.
        overwrite: replace an existing ``path`` (only at the final rename, after all frames are written).

    Raises:
        VideofillError: ``path`` exists and ``overwrite`` is False, its folder is missing or not writable, the
            ending is a video or image format that cannot be written, crf is outside 0..51, ``audio_from`` does not
            exist, or no frame was written (at close).

    Example:
        >>> with VideoWriter("out.mp4", Fraction(30000, 1001)) as writer:  # doctest: +SKIP
        ...     for frame in frames:
        ...         writer.write(frame)
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: Fraction | float | int | str,
        *,
        crf: int = 18,
        lossless: bool = False,
        audio_from: str | os.PathLike | None = None,
        overwrite: bool = False,
    ) -> None:
        self.path = Path(path)
        self.fps = _as_fraction(fps)
        self.crf = int(crf)
        self.lossless = bool(lossless)
        self.audio_from = Path(audio_from) if audio_from is not None else None
        self.overwrite = bool(overwrite)
        self.is_video = check_output_path(self.path, overwrite=self.overwrite) == "video"
        if not 0 <= self.crf <= 51:
            raise VideofillError(f"crf must be in 0..51 (H.264 quality, lower is better), got {crf}")
        if self.audio_from is not None:
            check_exists(self.audio_from)
        self.frame_count = 0
        self._tmp: Path | None = None
        self._shape: tuple[int, ...] | None = None
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._audio: _AudioCopy | None = None
        self._closed = False

    # context manager --------------------------------------------------------------------------------------------
    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # writing ----------------------------------------------------------------------------------------------------
    def write(self, frame: np.ndarray) -> None:
        """Append one uint8 ``(H, W, 3)`` RGB frame; every frame must have the size of the first.

        Raises:
            ValueError: not a uint8 (H, W, 3) array, or another size than the first frame.
        """
        if self._closed:
            raise ValueError(f"the writer of {self.path} is closed")
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            what = f"{frame.dtype} {frame.shape}" if isinstance(frame, np.ndarray) else type(frame).__name__
            raise ValueError(f"expected a uint8 (H, W, 3) RGB frame, got {what}")
        if self._shape is None:
            self._shape = frame.shape
            self._start(frame.shape[1], frame.shape[0])
        elif frame.shape != self._shape:
            raise ValueError(f"frame {self.frame_count} is {size_text(frame)} but the first frame was {self._shape[1]}x{self._shape[0]}")
        if self.is_video:
            self._encode(frame)
        else:
            write_png(self._tmp / f"{self.frame_count:05d}.png", frame)
        self.frame_count += 1

    def _start(self, width: int, height: int) -> None:
        """Create the temporary output once the frame size is known."""
        self._tmp = temporary_sibling(self.path, self.path.suffix if self.is_video else "")
        if not self.is_video:
            self._tmp.mkdir()
            if self.audio_from is not None and has_audio(self.audio_from):
                warnings.warn(f"{self.path} is a folder of PNG frames: the audio of {self.audio_from} is dropped", stacklevel=3)
            return
        fmt = _CONTAINER_FORMATS[self.path.suffix.lower()]
        options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
        self._container = av.open(str(self._tmp), mode="w", format=fmt, container_options=options)
        if self.lossless:
            stream = self._container.add_stream("libx264rgb", rate=self.fps, options={"qp": "0"})
            stream.pix_fmt = "rgb24"
            stream.width, stream.height = width, height
        else:
            stream = self._container.add_stream("libx264", rate=self.fps, options={"crf": str(self.crf)})
            stream.pix_fmt = "yuv420p"
            stream.width, stream.height = width + width % 2, height + height % 2  # yuv420p: even sides
            ctx = stream.codec_context
            ctx.colorspace = av.video.reformatter.Colorspace.ITU709
            ctx.color_range = av.video.reformatter.ColorRange.MPEG
            ctx.color_primaries = 1  # BT.709
            ctx.color_trc = 1  # BT.709
        stream.codec_context.time_base = 1 / self.fps
        self._stream = stream
        if self.audio_from is not None:
            self._audio = _AudioCopy.open(self.audio_from, self._container, fmt, self.path)

    def _encode(self, frame: np.ndarray) -> None:
        if not self.lossless and (frame.shape[0] % 2 or frame.shape[1] % 2):
            if self.frame_count == 0:
                warnings.warn(
                    f"{self.path.name}: H.264 needs even sides, so the {frame.shape[1]}x{frame.shape[0]} frames are padded "
                    "by repeating the last row/column (use --lossless or PNG output for the exact size)",
                    stacklevel=2,
                )
            frame = np.pad(frame, ((0, frame.shape[0] % 2), (0, frame.shape[1] % 2), (0, 0)), mode="edge")
        video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        if not self.lossless:
            video_frame = video_frame.reformat(
                format="yuv420p",
                dst_colorspace=av.video.reformatter.Colorspace.ITU709,
                dst_color_range=av.video.reformatter.ColorRange.MPEG,
            )
        video_frame.pts = self.frame_count
        video_frame.time_base = 1 / self.fps
        self._container.mux(self._stream.encode(video_frame))
        if self._audio is not None:
            self._audio.copy_until(Fraction(self.frame_count + 1) / self.fps)

    # finishing --------------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Finish the file and move it to ``path``. Called by ``with``; a second call does nothing.

        Raises:
            VideofillError: no frame was written, or ``path`` appeared meanwhile and ``overwrite`` is False.
        """
        if self._closed:
            return
        if self.frame_count == 0:
            self.abort()
            raise VideofillError(f"no frames were written to {self.path}")
        try:
            if self._container is not None:
                self._container.mux(self._stream.encode(None))
                if self._audio is not None:
                    self._audio.copy_until(Fraction(self.frame_count) / self.fps)
                    self._audio.close()
                self._container.close()
            self._closed = True
            move_into_place(self._tmp, self.path, self.overwrite)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop everything written so far: close and delete the temporary; ``path`` is not touched."""
        self._closed = True
        if self._audio is not None:
            self._audio.close()
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # the file is deleted anyway
                pass
        if self._tmp is not None:
            remove_path(self._tmp)



def write_frames(path: str | os.PathLike, frames: Iterable[np.ndarray], fps: Fraction | float | int | str, **kwargs) -> Path:
    """Write a clip (uint8 ``(T, H, W, 3)`` RGB, or any iterable of frames) with :class:`VideoWriter`.

    Args:
        path, fps, kwargs: as :class:`VideoWriter` (crf, lossless, audio_from, overwrite).

    Returns:
        the path written.
    """
    with VideoWriter(path, fps, **kwargs) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.path



class _AudioCopy:
    """Remux the first audio stream of a source video into an output container, interleaved with the video."""

    def __init__(self, source: av.container.InputContainer, stream_in, stream_out, offset: Fraction) -> None:
        self._source = source
        self._in = stream_in
        self._out = stream_out
        self._offset = offset  # source time of the first video frame: audio is shifted by it to stay in sync
        self._container = stream_out.container
        self._packets = source.demux(stream_in)
        self._pending: av.Packet | None = None
        self._done = False

    @classmethod
    def open(cls, path: Path, container: av.container.OutputContainer, fmt: str, output: Path) -> _AudioCopy | None:
        try:
            source = av.open(str(path))
        except (av.error.FFmpegError, OSError, ValueError) as err:
            raise VideofillError(f"cannot read the audio of {path} ({error_reason(err)})") from None
        if not source.streams.audio:
            source.close()
            return None
        stream_in = source.streams.audio[0]
        codec = stream_in.codec_context.name
        if not _container_accepts(fmt, stream_in):
            source.close()
            warnings.warn(f"{output.suffix} cannot hold the {codec} audio of {path}: the output has no audio", stacklevel=4)
            return None
        stream_out = container.add_stream_from_template(stream_in)
        offset = Fraction(0)
        if source.streams.video and source.streams.video[0].start_time is not None:
            video = source.streams.video[0]
            offset = video.start_time * video.time_base
        return cls(source, stream_in, stream_out, offset)

    def copy_until(self, end: Fraction) -> None:
        """Mux the source's audio packets that start before ``end`` (seconds of output time)."""
        while not self._done:
            if self._pending is None:
                try:
                    packet = next(self._packets)
                except (StopIteration, av.error.FFmpegError):
                    self._done = True
                    return
                if packet.pts is None or packet.size == 0:
                    continue
                self._pending = packet
            packet = self._pending
            if packet.pts * packet.time_base - self._offset >= end:
                return
            shift = int(round(self._offset / packet.time_base))
            packet.pts -= shift
            if packet.dts is not None:
                packet.dts -= shift
            packet.stream = self._out
            self._pending = None
            self._container.mux(packet)

    def close(self) -> None:
        self._done = True
        self._source.close()



def _container_accepts(fmt: str, stream_in) -> bool:
    """Try the audio stream in an in-memory container of the same format: some codecs only fail at the header."""
    try:
        with av.open(io.BytesIO(), mode="w", format=fmt) as probe_out:
            probe_out.add_stream_from_template(stream_in)
            probe_out.start_encoding()
        return True
    except Exception:  # any refusal means: do not copy
        return False

