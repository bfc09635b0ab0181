"""Reading and writing videos and frame folders: the only place videofill touches video files.

Frames at this boundary are numpy ``uint8`` RGB, one frame ``(H, W, 3)``, a clip ``(T, H, W, 3)``.

Inputs are video files (anything FFmpeg reads through PyAV: mp4, mov, mkv, avi, webm, ...) or folders of images
(png, jpg, jpeg, bmp, tif, tiff; sorted by name with numbers compared as numbers, hidden files ignored). Grey and
RGBA images become RGB (alpha is dropped), 16-bit images are scaled to 8 bits (``round(v / 257)``).

Outputs (:class:`VideoWriter`):

- ``.mp4``, ``.mkv``, ``.mov``: H.264 (libx264), ``yuv420p``, BT.709 limited range (tagged), quality ``crf``.
  ``yuv420p`` needs an even width and height: a frame with an odd side is padded by one row/column that repeats
  the last one (never rescaled), so the file is up to 1 px wider/taller than the frames.
  ``lossless=True``: libx264rgb with ``qp=0`` on ``rgb24`` -- bit-exact RGB at the frames' own size (odd sizes
  too); many players cannot show it, use it for evaluation.
- any other path: a folder of PNG frames ``00000.png``, ``00001.png``, ... (bit-exact, no audio).

Frame rates are kept as :class:`fractions.Fraction` (``30000/1001``, not 29.97). A folder of frames has no frame
rate of its own; :data:`FOLDER_FPS` is used.

Every problem the user can fix (missing file, not a video, corrupt file, mixed frame sizes, existing output) is a
:class:`~videofill.errors.VideofillError` whose one-line message names the file.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator

import av
import cv2
import numpy as np

from .errors import VideofillError

#: File name endings read as videos.
VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".ts")
#: File name endings read as images (frames in a folder, masks).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
#: Endings :class:`VideoWriter` writes as H.264 video; any path not ending in a video or image ending is a PNG folder.
WRITABLE_VIDEO_EXTENSIONS = (".mp4", ".mkv", ".mov")
#: Frame rate reported for a folder of frames.
FOLDER_FPS = Fraction(25)

_CONTAINER_FORMATS = {".mp4": "mp4", ".mkv": "matroska", ".mov": "mov"}


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


# ---------------------------------------------------------------------------------------------------------------
# images


def is_video_file(path: str | os.PathLike) -> bool:
    """True when ``path`` ends in a video file ending (:data:`VIDEO_EXTENSIONS`, any case). Looks at the name only."""
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


def is_image_file(path: str | os.PathLike) -> bool:
    """True when ``path`` ends in an image ending (:data:`IMAGE_EXTENSIONS`, any case). Looks at the name only."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def list_images(folder: str | os.PathLike) -> list[Path]:
    """The image files of a folder, sorted by name (``frame2`` before ``frame10``); hidden files are skipped.

    Raises:
        VideofillError: the folder does not exist or holds no image.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VideofillError(f"{folder} is not a folder")
    files = [p for p in folder.iterdir() if not p.name.startswith(".") and is_image_file(p) and p.is_file()]
    if not files:
        raise VideofillError(f"no images ({', '.join(e[1:] for e in IMAGE_EXTENSIONS)}) in folder {folder}")
    return sorted(files, key=lambda p: _natural_key(p.name))


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Decode one image file as it is stored: ``(H, W)`` grey or ``(H, W, C)`` with channels in RGB(A) order.

    The dtype is the file's (uint8, uint16; float32 for some TIFFs). Use :func:`to_uint8` and :func:`to_rgb8`
    to normalise it.

    Raises:
        VideofillError: the file is missing, unreadable, not an image, or of a pixel type videofill does not read
            (signed integers, more than 4 channels).
    """
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)  # not cv2.imread: works with any file name on any OS
    except OSError as err:
        raise VideofillError(f"cannot read {path}: {err.strerror or err}") from None
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise VideofillError(f"cannot read {path}: not an image, or the file is corrupt")
    if image.dtype not in (np.uint8, np.uint16, np.float32, np.float64):
        raise VideofillError(f"cannot read {path}: {image.dtype} pixels (videofill reads 8- or 16-bit unsigned or float images)")
    if image.ndim == 3 and image.shape[2] > 4:
        raise VideofillError(f"cannot read {path}: {image.shape[2]} channels (videofill reads grey, RGB or RGBA images)")
    if image.ndim == 3 and image.shape[2] == 3:
        image = image[..., ::-1]  # BGR -> RGB
    elif image.ndim == 3 and image.shape[2] == 4:
        image = image[..., [2, 1, 0, 3]]  # BGRA -> RGBA
    return np.ascontiguousarray(image)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Scale an image to uint8, keeping its channels: uint16 ``v -> round(v / 257)``, float in [0, 1] ``* 255``.

    Raises:
        ValueError: a dtype other than bool, uint8, uint16 or float.
    """
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)  # == round(v / 257), exact for v = 257 k
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.floating):
        return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    raise ValueError(f"expected a uint8, uint16 or float image, got {image.dtype}")


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """Any decoded image (:func:`read_image`) as uint8 ``(H, W, 3)`` RGB: grey repeated, alpha dropped, 16 bit scaled.

    Raises:
        ValueError: not a 2-D image with 1 to 4 channels, or an unsupported dtype.
    """
    image = to_uint8(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or not 1 <= image.shape[2] <= 4:
        raise ValueError(f"expected an (H, W) or (H, W, 1..4) image, got shape {image.shape}")
    if image.shape[2] in (1, 2):  # grey, grey + alpha
        image = np.repeat(image[..., :1], 3, axis=2)
    return np.ascontiguousarray(image[..., :3])


def _size_text(image: np.ndarray) -> str:
    return f"{image.shape[1]}x{image.shape[0]}"


# ---------------------------------------------------------------------------------------------------------------
# reading videos


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise VideofillError(f"{path} does not exist")


def _reason(err: BaseException) -> str:
    return getattr(err, "strerror", None) or type(err).__name__


def _open_video(path: Path) -> av.container.InputContainer:
    """Open a video file with PyAV, turning every failure into a one-line VideofillError."""
    if path.is_file() and is_image_file(path):
        raise VideofillError(f"{path} is a single image, not a video; pass a video file or a folder of frames")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as err:
        raise VideofillError(f"cannot read {path}: not a video, or the file is corrupt ({_reason(err)})") from None
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
    _check_exists(path)
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
        raise VideofillError(f"{path} is corrupt or truncated: decoding failed after {index} frames ({_reason(err)})") from None


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
    _check_exists(path)
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
                f"{file} is {_size_text(frame)} but {first_file.name} is {_size_text(first)}: "
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


# ---------------------------------------------------------------------------------------------------------------
# writing


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


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


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
        suffix = self.path.suffix.lower()
        self.is_video = suffix in WRITABLE_VIDEO_EXTENSIONS
        if not self.is_video and (is_video_file(self.path) or is_image_file(self.path)):
            raise VideofillError(
                f"cannot write {self.path}: videofill writes .mp4, .mkv or .mov video, or PNG frames into a folder "
                f"(give a path without a file ending)"
            )
        if not 0 <= self.crf <= 51:
            raise VideofillError(f"crf must be in 0..51 (H.264 quality, lower is better), got {crf}")
        parent = self.path.absolute().parent
        if not parent.is_dir():
            raise VideofillError(f"output folder {parent} does not exist (for {self.path.name})")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise VideofillError(f"output folder {parent} is not writable (for {self.path.name})")
        if self.path.exists() and not self.overwrite:
            raise VideofillError(f"{self.path} already exists; pass overwrite=True (--overwrite) to replace it")
        if self.audio_from is not None:
            _check_exists(self.audio_from)
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
            raise ValueError(f"frame {self.frame_count} is {_size_text(frame)} but the first frame was {self._shape[1]}x{self._shape[0]}")
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
            if self.audio_from is not None and _has_audio(self.audio_from):
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
            _remove(self._tmp)


def move_into_place(tmp: Path, final: Path, overwrite: bool) -> None:
    """Rename a finished temporary file or folder to ``final``, replacing an old ``final`` only when allowed.

    A file replacing a file is one atomic rename; otherwise the old output is renamed aside first and deleted last.

    Raises:
        VideofillError: ``final`` exists and ``overwrite`` is False (``tmp`` is then left for the caller to delete).
    """
    if final.exists() or final.is_symlink():
        if not overwrite:
            raise VideofillError(f"{final} already exists; pass overwrite=True (--overwrite) to replace it")
        if tmp.is_file() and final.is_file():
            os.replace(tmp, final)
            return
        aside = final.with_name(f".{final.name}.{secrets.token_hex(4)}.old")
        os.replace(final, aside)
        os.replace(tmp, final)
        _remove(aside)
    else:
        os.replace(tmp, final)


def temporary_sibling(path: Path, suffix: str = "") -> Path:
    """A fresh hidden name in the folder of ``path`` for writing it atomically: ``.NAME.1a2b3c4d.partialSUFFIX``."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial{suffix}")


def remove_stale_partials(path: str | os.PathLike) -> list[Path]:
    """Delete what a killed writer of ``path`` left: its :func:`temporary_sibling` files and folders.

    A writer that is stopped cleanly deletes its temporary itself; one killed with SIGKILL (or a power cut) cannot.
    Only call this when no other process is writing ``path``.

    Returns:
        the paths removed.
    """
    path = Path(path)
    parent = path.absolute().parent
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}\.partial(\.\w+)?")
    try:
        stale = [p for p in parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:  # a missing or unreadable folder holds nothing of ours
        return []
    for leftover in stale:
        try:
            _remove(leftover)
        except OSError:  # not ours to delete after all (permissions): leave it
            pass
    return stale


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


def write_png(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write a uint8 (H, W, 3) RGB or (H, W) grey image as PNG (lossless).

    Raises:
        VideofillError: the file cannot be written.
    """
    path = Path(path)
    bgr = image[..., ::-1] if image.ndim == 3 else image
    ok, data = cv2.imencode(".png", np.ascontiguousarray(bgr))
    if not ok:
        raise VideofillError(f"cannot encode {path} as PNG")
    try:
        data.tofile(path)
    except OSError as err:
        raise VideofillError(f"cannot write {path}: {err.strerror or err}") from None


def _has_audio(path: Path) -> bool:
    try:
        with av.open(str(path)) as container:
            return bool(container.streams.audio)
    except (av.error.FFmpegError, OSError, ValueError):
        return False


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
            raise VideofillError(f"cannot read the audio of {path} ({_reason(err)})") from None
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
