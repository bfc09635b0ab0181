"""Long clips in windows: cut a frame range into overlapping windows, inpaint each, cross-fade the overlaps in the
hole, and write every frame once, as soon as it is final. Memory follows the window, not the clip; finished windows
are kept in the run folder so an interrupted run resumes without redoing them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from videofill.config import InpaintConfig, cli_flag
from videofill.errors import VideofillError
from videofill.io.atomic import atomic_write

WINDOW_META = "window.json"  # in a window's run folder: the frames and settings it is for



WINDOW_RESULT = "result.npy"  # in a window's run folder once it is done: its hole pixels, uint8 (P, 3)
WINDOW_SPATIAL_FILL = "spatial_fill.txt"  # beside it: the spatial fill its propagation used ("auto" resolved)



def window_ranges(start: int, end: int, window: int, overlap: int, min_length: int = 5) -> list[tuple[int, int]]:
    """Cut the frames ``[start, end)`` into windows ``[s, e)`` of ``window`` frames, each overlapping the previous by
    ``overlap`` frames. A last window shorter than ``min_length`` (the batch size) is merged into the one before.

    Args:
        start, end: the frames to cover, half-open.
        window: frames per window; 0 (or at least ``end - start``): one window over everything.
        overlap: frames shared by two neighbouring windows, at most half a window (so no frame is in three).
        min_length: the shortest window allowed (a batch of frames).

    Returns:
        the windows in order; the first starts at ``start``, the last ends at ``end``.

    Raises:
        VideofillError: window below ``min_length`` (and not 0), overlap below 0 or above half the window.
        ValueError: an empty range.

    Example:
        >>> window_ranges(0, 20, 8, 3)
        [(0, 8), (5, 13), (10, 18), (15, 20)]
    """
    if end <= start or start < 0:
        raise ValueError(f"expected 0 <= start < end, got {start}, {end}")
    if window < 0 or 0 < window < min_length:
        raise VideofillError(f"--window must be 0 (the whole clip at once) or at least {min_length} frames (a batch), got {window}")
    if window == 0 or window >= end - start:
        return [(start, end)]
    if overlap < 0 or 2 * overlap > window:
        raise VideofillError(f"--overlap must be between 0 and half of --window ({window // 2}), got {overlap}")
    ranges = [(start, min(start + window, end))]
    while ranges[-1][1] < end:
        first = ranges[-1][1] - overlap
        ranges.append((first, min(first + window, end)))
    if len(ranges) > 1 and ranges[-1][1] - ranges[-1][0] < min_length:
        ranges[-2:] = [(ranges[-2][0], end)]
    return ranges



def crossfade_weights(overlap: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the earlier and of the later window for the ``overlap`` frames they share, float64 ``(overlap,)``.

    Linear: frame ``j`` of the overlap takes ``(j + 1) / (overlap + 1)`` of the later window and the rest of the
    earlier one, so the two always sum to 1 and neither window's weight jumps to 0 or 1 inside the overlap.
    """
    later = np.arange(1, overlap + 1, dtype=np.float64) / (overlap + 1)
    return 1.0 - later, later



def crossfade(earlier: np.ndarray, later: np.ndarray, frames: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Blend two windows' results for the frames they share: linearly in the holes, the input everywhere else.

    Args:
        earlier, later: uint8 (V, H, W, 3), the two windows' results for the same V frames.
        frames: uint8 (V, H, W, 3), the input frames (what the known pixels must stay, bit for bit).
        holes: bool (V, H, W), the pixels the results may differ in (the holes as filled, i.e. after ``--dilate``).

    Returns:
        uint8 (V, H, W, 3).
    """
    w_earlier, w_later = crossfade_weights(len(frames))
    out = frames.copy()
    for j in range(len(frames)):
        hole = holes[j]
        mixed = w_earlier[j] * earlier[j][hole].astype(np.float64) + w_later[j] * later[j][hole]  # (P, 3)
        out[j][hole] = np.clip(np.round(mixed), 0, 255).astype(np.uint8)
    return out



class SequentialFrames:
    """Windows ``[start, end)`` of a stream of frames, for windows that move forward: each frame is decoded once.

    Only the frames of the last window asked for are kept (the next window's overlap is taken from them).

    Args:
        frames: an iterator of frames (e.g. :func:`videofill.io.video.iter_frames`), positioned at frame ``first``.
        first: the absolute index of the iterator's next frame.

    Calling it with ``(start, end)`` returns uint8 (end - start, H, W, 3); it raises ValueError when ``start`` is
    before the previous call's ``start``, and VideofillError when the stream ends before ``end``.
    """

    def __init__(self, frames: Iterator[np.ndarray], first: int = 0) -> None:
        self._frames = frames
        self._first = first  # absolute index of self._buffer[0] (or of the iterator's next frame if it is empty)
        self._buffer: list[np.ndarray] = []

    def __call__(self, start: int, end: int) -> np.ndarray:
        if start < self._first:
            raise ValueError(f"windows must move forward: frame {start} asked for after frame {self._first}")
        drop = min(start - self._first, len(self._buffer))
        del self._buffer[:drop]
        self._first += drop
        while self._first < start:  # a gap: skip frames
            self._next(start)
            self._first += 1
        while self._first + len(self._buffer) < end:
            self._buffer.append(self._next(end))
        return np.stack(self._buffer[: end - start])

    def _next(self, wanted: int) -> np.ndarray:
        try:
            return next(self._frames)
        except StopIteration:
            raise VideofillError(
                f"the clip ended after frame {self._first + len(self._buffer) - 1}, before frame {wanted - 1}"
            ) from None


def inpaint_stream(
    span: tuple[int, int],
    read_frames: Callable[[int, int], np.ndarray],
    read_holes: Callable[[int, int], np.ndarray],
    write: Callable[[np.ndarray], None],
    config: InpaintConfig,
    *,
    run_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    flow_estimator=None,
    step_hook: Callable[[int, int, int], Callable | None] | None = None,
    on_result: Callable[[int, object], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> list[str]:
    """Inpaint the frames ``span = (S, E)`` window by window, writing each frame as soon as it is final.

    Args:
        span: the frames to inpaint, absolute and half-open.
        read_frames: ``(s, e) -> uint8 (e - s, H, W, 3)``, the input frames ``s .. e - 1``; called with windows in
            order (a :class:`SequentialFrames` decodes each frame once).
        read_holes: ``(s, e) -> bool (e - s, H, W)``, their holes (True = hole).
        write: called with every output frame, uint8 (H, W, 3), in order ``S .. E - 1``, each exactly once.
        config: the settings of every window (same seed for all); ``config.window`` and ``config.overlap`` cut the span
            (see :func:`window_ranges`; window 0: the whole span at once).
        run_dir: folder for checkpoints, one subfolder ``window_00000, ...`` per window; a finished window keeps its
            hole pixels there (``result.npy``), so a resumed run does not compute it again. None: no checkpoints.
        resume: continue from ``run_dir``: finished windows are reloaded, the current one resumes from its checkpoint.
        progress, flow_estimator: passed to :func:`videofill.pipeline.inpaint_video`.
        step_hook: ``(index, start, end) -> on_step`` hook for that window's ``inpaint_video`` (or None), e.g. a
            :class:`~videofill.fill.progress.ProgressSaver` for the first window only.
        on_result: called as ``on_result(index, InpaintResult)`` after each window that was computed (not reloaded).
        log: called with one line per window ("window 2/5: frames 50..109").

    Returns:
        the notes of all windows, each once (with the frames of the windows that gave it when there are several),
        among them the spatial fill that "auto" chose in each window (a reloaded window's as its folder keeps it).

    Raises:
        VideofillError: as :func:`window_ranges` and :func:`videofill.pipeline.inpaint_video`, or a run folder made
            for other frames or settings when resuming.
    """
    from videofill.io.masks import dilate_holes

    ranges = window_ranges(*span, config.window, config.overlap, config.batch_frames)
    notes: dict[str, list[str]] = {}
    tail: np.ndarray | None = None  # the previous window's results for the frames it shares with this one
    for index, (start, end) in enumerate(ranges):
        if log is not None and len(ranges) > 1:
            log(f"window {index + 1}/{len(ranges)}: frames {start}..{end - 1}")
        frames = read_frames(start, end)
        holes = read_holes(start, end)
        if len(frames) != end - start or len(holes) != end - start:
            raise ValueError(f"asked for frames {start}..{end - 1}, got {len(frames)} frames and {len(holes)} masks")
        grow = config.dilation(frames.shape[2], frames.shape[1])
        filled = dilate_holes(holes, grow) if grow else holes  # where a result may differ from the input
        folder = window_folder(run_dir, index) if run_dir is not None else None
        result, answer = inpaint_window(
            (start, end), frames, holes, config, folder, resume=resume, progress=progress,
            flow_estimator=flow_estimator, on_step=step_hook(index, start, end) if step_hook is not None else None,
        )
        if answer is not None and on_result is not None:
            on_result(index, answer)
        # what "auto" chose, for the run record (a window may choose otherwise than its neighbour; a reloaded one
        # says what it chose when it was computed)
        chosen = answer.spatial_fill if answer is not None else saved_spatial_fill(folder)
        chosen = [(f"spatial fill: {chosen} (chosen on trial copies of the holes; "
                   f"{cli_flag('spatial_fill', chosen)} fixes it)")] if config.spatial_fill == "auto" and chosen else []
        for note in (answer.notes if answer is not None else []) + chosen:
            notes.setdefault(note, []).append(f"{start}..{end - 1}")
        shared = 0 if tail is None else len(tail)
        if shared:
            for frame in crossfade(tail, result[:shared], frames[:shared], filled[:shared]):
                write(frame)
        final_end = ranges[index + 1][0] if index + 1 < len(ranges) else end  # frames after it are shared with the next
        for t in range(start + shared, final_end):
            write(result[t - start])
        tail = result[final_end - start :].copy() if index + 1 < len(ranges) else None
        del frames, holes, filled, result
    if len(ranges) == 1:
        return list(notes)
    return [f"{note} (frames {', '.join(spans)})" for note, spans in notes.items()]



def window_folder(run_dir: str | Path, index: int) -> Path:
    """The run folder of window ``index`` (0-based) inside a run's folder: ``run_dir/window_00003``."""
    return Path(run_dir) / f"window_{index:05d}"


def inpaint_window(
    span: tuple[int, int],
    frames: np.ndarray,
    holes: np.ndarray,
    config: InpaintConfig,
    folder: str | Path | None = None,
    *,
    resume: bool = False,
    progress: bool = False,
    flow_estimator=None,
    on_step: Callable | None = None,
):
    """Inpaint one window and keep its hole pixels in its run folder, the form :func:`inpaint_stream` resumes from.

    :func:`inpaint_stream` runs this for each window in turn; the batch runner runs the windows of one clip on
    several workers, each with the run folder :func:`window_folder` gives, and then lets :func:`inpaint_stream`
    (``resume=True``) reload and cross-fade them: the same frames as a serial run.

    Args:
        span: the window's frames ``(s, e)``, absolute and half-open (recorded in the folder, checked on resume).
        frames: uint8 (e - s, H, W, 3), the input frames of the window.
        holes: bool (e - s, H, W), their holes (True = hole).
        config: the run's settings.
        folder: the window's run folder (created; emptied first unless resuming); None: nothing is kept.
        resume: reload a finished window, or continue its checkpoint.
        progress, flow_estimator, on_step: passed to :func:`videofill.pipeline.inpaint_video`.

    Returns:
        ``(result, answer)``: result uint8 (e - s, H, W, 3); answer the :class:`~videofill.pipeline.InpaintResult`,
        or None when the window was finished already and reloaded.

    Raises:
        VideofillError: as :func:`videofill.pipeline.inpaint_video`, or a folder made for other frames or settings
            when resuming.
    """
    from videofill.io.masks import dilate_holes
    from videofill.pipeline import inpaint_video

    start, end = span
    folder = Path(folder) if folder is not None else None
    grow = config.dilation(frames.shape[2], frames.shape[1])
    filled = dilate_holes(holes, grow) if grow else holes  # where a result may differ from the input
    if folder is not None and resume:
        result = _load_window(folder, start, end, config, frames, filled)
        if result is not None:
            return result, None
    _start_window(folder, start, end, config, resume)
    answer = inpaint_video(frames, holes, config, progress=progress, flow_estimator=flow_estimator, run_dir=folder,
                           resume=resume, on_step=on_step)
    _save_window(folder, answer.frames, filled, answer.spatial_fill)
    return answer.frames, answer



def _meta(start: int, end: int, config: InpaintConfig) -> dict:
    return {"start": start, "end": end, "config": config.result_settings()}



def _start_window(folder: Path | None, start: int, end: int, config: InpaintConfig, resume: bool) -> None:
    """Make the window's run folder and record what it is for (a stale one is emptied unless resuming it)."""
    if folder is None:
        return
    meta = folder / WINDOW_META
    if folder.exists() and not (resume and meta.exists()):
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(meta, lambda handle: handle.write(json.dumps(_meta(start, end, config)).encode()))



def _load_window(folder: Path, start: int, end: int, config: InpaintConfig, frames: np.ndarray, filled: np.ndarray):
    """A finished window's result rebuilt from the input and its saved hole pixels; None when it is not finished.

    Raises:
        VideofillError: the folder was made for other frames or settings.
    """
    meta = folder / WINDOW_META
    if not meta.exists():
        return None
    try:
        saved = json.loads(meta.read_text())
    except ValueError:  # damaged: refused below like any other mismatch
        saved = None
    if (not isinstance(saved, dict) or (saved.get("start"), saved.get("end")) != (start, end)
            or not isinstance(saved.get("config"), dict) or not config.same_result(saved["config"])):
        same_frames = isinstance(saved, dict) and (saved.get("start"), saved.get("end")) == (start, end)
        hint = config.resume_hint(saved.get("config")) if same_frames else ""
        raise VideofillError(f"{folder} was made for other frames or settings; run without --resume to start over"
                             + hint)
    saved = folder / WINDOW_RESULT
    if not saved.exists():
        return None
    pixels = np.load(saved, allow_pickle=False)
    if pixels.shape != (int(filled.sum()), 3) or pixels.dtype != np.uint8:
        raise VideofillError(f"{saved} does not match the masks; run without --resume to start over")
    result = frames.copy()
    result[filled] = pixels
    return result



def saved_spatial_fill(folder: str | Path | None) -> str | None:
    """The spatial fill a finished window's propagation used, as its run folder keeps it (None: not kept)."""
    path = None if folder is None else Path(folder) / WINDOW_SPATIAL_FILL
    if path is None or not path.exists():
        return None
    return path.read_text().strip() or None


def _save_window(folder: Path | None, result: np.ndarray, filled: np.ndarray, spatial_fill: str | None = None) -> None:
    """Keep a finished window's hole pixels (and the spatial fill its propagation used) and drop its training
    checkpoint and flows (no longer needed)."""
    if folder is None:
        return
    from videofill.fill.checkpoint import CHECKPOINT_NAME, FLOWS_NAME

    if spatial_fill is not None:
        atomic_write(folder / WINDOW_SPATIAL_FILL, lambda handle: handle.write(spatial_fill.encode()))
    atomic_write(folder / WINDOW_RESULT, lambda handle: np.save(handle, np.ascontiguousarray(result[filled])))
    for name in (CHECKPOINT_NAME, FLOWS_NAME):
        (folder / name).unlink(missing_ok=True)
