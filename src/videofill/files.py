"""``inpaint_file``: a video (or frame folder) and its masks on disk in, the inpainted video on disk out.

This is the job the command line, the web app and the batch runner all run. It streams: frames are decoded once,
front to back, inpainted in windows (:mod:`videofill.stream`) and written as soon as they are final, so memory
follows the window, not the clip. Frames outside ``start``/``end`` are copied through; the input's audio is copied.
The output appears atomically when complete; while the run is going its checkpoints live in ``OUTPUT.checkpoint/``
(kept after a crash, a kill or Ctrl-C, so the same call with ``resume=True`` continues), and at the end the run
record (what ran, on what, with which settings) is written to ``OUTPUT.config.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from videofill import __version__
from videofill.config import InpaintConfig, get_preset
from videofill.errors import VideofillError
from videofill.io.atomic import atomic_write, remove_stale_partials
from videofill.io.images import is_video_file
from videofill.io.masks import iter_masks
from videofill.io.timecode import frame_range
from videofill.io.video import FOLDER_FPS, iter_frames, probe
from videofill.io.writer import VideoWriter, check_output_path
from videofill.stream import SequentialFrames, inpaint_stream

#: Holes of frames ``[s, e)``: bool (e - s, H, W), True = hole. A mask source that is not a file (tracked masks).
HoleReader = Callable[[int, int], np.ndarray]


def record_path_for(output: str | os.PathLike) -> Path:
    """Where the run record of ``output`` goes: beside it, ``<output>.config.json``."""
    output = Path(output)
    return output.with_name(output.name + ".config.json")


def run_dir_for(output: str | os.PathLike) -> Path:
    """Where a run keeps its checkpoints until it finishes: beside the output, ``<output>.checkpoint/``."""
    output = Path(output)
    return output.with_name(output.name + ".checkpoint")


@dataclass
class FileResult:
    """What :func:`inpaint_file` wrote."""

    output: Path  # the video or PNG folder
    record: Path  # the run record, OUTPUT.config.json
    frame_count: int  # frames written
    inpainted: tuple[int, int]  # the half-open frame range that was inpainted
    notes: list[str] = field(default_factory=list)  # what the user should know, each once


def describe_method(config: InpaintConfig) -> str:
    """What fills the holes under ``config``, in words (the run record's ``"fill"``), with the settings it resolves
    (``combine`` auto: the way the copies were combined)."""
    if not config.guide_start and config.trains:
        return config.method
    propagation = f"flow-guided propagation (copies combined: {config.copy_combine})"
    if config.trains:
        propagation += f" corrected by {config.method} (at most {config.max_steps} steps)"
    else:
        propagation += ", no network trained"
    if config.quality == "best":
        propagation += "; then what no frame shows synthesised (quality best)"
    return propagation


def run_record(config: InpaintConfig, input: str | os.PathLike, masks: str | os.PathLike | None,
               output: str | os.PathLike, start: int, end: int, overwrite: bool = False,
               notes: list[str] | None = None) -> dict:
    """The run record: everything needed to run the same job again (``videofill inpaint --config RECORD``), and the
    run's notes (what was chosen on the way, e.g. the spatial fill; not read back)."""
    settings = config.to_dict() | {"combine": config.copy_combine}  # what ran, not "auto"
    if not config.trains:
        settings.pop("method")  # no network ran: naming one would say something that did not happen
    return {
        "videofill": __version__,
        "fill": describe_method(config),
        "input": str(input),
        "masks": None if masks is None else str(masks),
        "output": str(output),
        "frames": {"start": start, "end": end},
        "overwrite": overwrite,
        "config": settings,
        "notes": list(notes or []),
    }


def inpaint_file(
    input: str | os.PathLike,
    masks: str | os.PathLike | HoleReader,
    output: str | os.PathLike,
    config: InpaintConfig | None = None,
    *,
    start: str | int | None = None,
    end: str | int | None = None,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
    save_progress: str | os.PathLike | None = None,
    flow_estimator=None,
    on_frame: Callable[[int, int], None] | None = None,
) -> FileResult:
    """Inpaint a video file or frame folder, writing the result and its run record.

    Args:
        input: a video file (anything FFmpeg reads) or a folder of frames (sorted by name).
        masks: a mask folder, a mask video or one mask image (non-zero = hole, :mod:`videofill.io.masks`); a
            function ``(s, e) -> bool (e - s, H, W)`` giving the holes of frames ``s .. e - 1``; or a list of marks
            (:class:`videofill.track.Mark` or :class:`videofill.track.files.MarkText`): the marked object is tracked
            through the clip first (:func:`videofill.track.files.track_file`) and its masks are the holes.
        output: ``.mp4``/``.mkv``/``.mov`` for H.264 video (``config.crf``, ``config.lossless``), or a path without a
            file ending for a folder of PNG frames (bit-exact). Its parent folder is created.
        config: the settings (the ``default`` preset when None), including the windows and the output quality.
        start, end: the frames to inpaint, a frame number (``120``) or a time (``"12.5s"``, ``"1:02.5"``);
            ``end`` exclusive; others are copied through. None: the clip's first frame / its end.
        overwrite: replace an existing output (only when the new one is complete).
        resume: continue from ``OUTPUT.checkpoint/`` (the result equals that of an uninterrupted run).
        progress: show progress bars (frames, propagation stages, training steps).
        log: called with each line the user should read (windows, notes); None: silent.
        save_progress: a folder for training snapshots and loss curves of the first window (paper Fig. 8).
        flow_estimator: see :func:`videofill.pipeline.inpaint_video`.
        on_frame: called after each written frame with (frames written, frames in the clip), e.g. for a progress bar.

    Returns:
        :class:`FileResult`.

    Raises:
        VideofillError: unreadable input or masks, masks that do not fit the video, an output path that is refused
            (see :func:`videofill.io.writer.check_output_path`) or exists (or its run record does) without
            ``overwrite``, a bad frame range.
            Nothing is written at ``output``, and a run folder this call created is removed.
    """
    config = config or get_preset("default")
    say = log or (lambda _line: None)
    output = Path(output)
    marks = list(masks) if isinstance(masks, (list, tuple)) else None
    mask_file = None if (callable(masks) or marks is not None) else masks
    check_output_path(output, overwrite=overwrite, inputs=(input, mask_file), create=False)
    earlier = record_path_for(output)
    if earlier.exists() and not (overwrite or (resume and run_dir_for(output).is_dir())):  # a record, no output
        raise VideofillError(f"{earlier} exists (an earlier run's record, or saved settings) but {output.name} does "
                             "not; pass --overwrite to replace it, or choose another output")
    from videofill.pipeline import resolve_device  # torch is imported from here on

    resolve_device(config.device)
    run_dir = run_dir_for(output)
    existed = run_dir.exists()
    remove_stale_partials(output)
    try:
        if marks is not None:  # track the marked object first; its masks live in the run folder until the end
            masks = _tracked_masks(input, marks, run_dir, resume, progress, say)
        result = _run(input, masks, output, config, start, end, overwrite, resume, progress, say, save_progress,
                      flow_estimator, run_dir, on_frame)
        if marks is not None:
            record = json.loads(result.record.read_text())
            record["masks"] = {"tracked from marks": [_describe_mark(m) for m in marks]}
            text = json.dumps(record, indent=2) + "\n"
            atomic_write(result.record, lambda handle: handle.write(text.encode()))
    except VideofillError:
        if not existed:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    shutil.rmtree(run_dir, ignore_errors=True)
    return result


def _describe_mark(mark) -> dict:
    """A mark as JSON: its text form, or its frame and box/points (a mask array is named, not stored)."""
    if isinstance(getattr(mark, "kind", None), str):  # MarkText
        return {mark.kind: mark.text}
    kind = mark.kind()
    return {"frame": mark.frame, kind: "an array" if kind == "mask" else [list(v) if isinstance(v, tuple) else v for v in getattr(mark, kind)]}


def _tracked_masks(input, marks, run_dir: Path, resume: bool, progress: bool, say) -> Path:
    """The object's masks tracked from ``marks`` (videofill.track), in ``run_dir/tracked_masks`` (kept for resume)."""
    from videofill.track.files import track_file

    folder = run_dir / "tracked_masks"
    if resume and folder.is_dir():
        return folder
    run_dir.mkdir(parents=True, exist_ok=True)
    say(f"tracking the marked object through {input}")
    return track_file(input, marks, folder, overwrite=True, progress=progress)


def _run(input, masks, output, config, start, end, overwrite, resume, progress, say, save_progress, flow_estimator,
         run_dir, on_frame=None) -> FileResult:
    info = probe(input)
    if info.is_folder and is_video_file(output):  # a folder of frames written back needs no frame rate
        say(f"note: {input} is a folder of frames: {FOLDER_FPS} fps assumed for the output")
    first, last = frame_range(
        None if start is None else str(start), None if end is None else str(end), info.frame_count, info.fps
    )
    if callable(masks):
        read_holes = masks
        read_holes(first, first + 1)
    else:  # masks are indexed by absolute frame number and decoded once, front to back, like the frames
        holes = iter_masks(masks, last - first, (info.width, info.height), start=first, total=info.frame_count)
        read_holes = SequentialFrames(holes, first=first)
        read_holes(first, first + 1)  # a wrong mask source fails now, before any frame is written
    if resume and not run_dir.is_dir():
        say(f"note: no checkpoint in {run_dir}; starting from the beginning")
    saver = _progress_saver(save_progress, config, info.width, info.height, say)
    source = iter_frames(input)  # decoded once, front to back: memory does not grow with the clip's length
    audio = input if (not info.is_folder and info.has_audio) else None
    bar = tqdm(total=info.frame_count, desc="frames", unit="frame", disable=not progress, dynamic_ncols=True)
    with VideoWriter(output, info.fps, crf=config.crf, lossless=config.lossless, audio_from=audio,
                     overwrite=overwrite) as writer:

        def write(frame: np.ndarray) -> None:
            writer.write(frame)
            bar.update(1)
            if on_frame is not None:
                on_frame(writer.frame_count, info.frame_count)

        try:
            for frame in islice(source, first):  # before start: copied through
                write(frame)
            notes = inpaint_stream(
                (first, last), SequentialFrames(source, first=writer.frame_count), read_holes, write, config,
                run_dir=run_dir, resume=resume, progress=progress, flow_estimator=flow_estimator, log=say,
                step_hook=(lambda index, *_: saver if index == 0 else None) if saver is not None else None,
                on_result=(lambda index, result: saver.finish(result) if index == 0 else None) if saver else None,
            )
            for frame in source:  # after end: copied through
                write(frame)
        finally:
            bar.close()
    if saver is not None:
        say(f"training progress in {saver.folder}")
    record = record_path_for(output)
    text = json.dumps(run_record(config, input, None if callable(masks) else masks, output, first, last, overwrite,
                                 notes), indent=2) + "\n"
    atomic_write(record, lambda handle: handle.write(text.encode()))
    return FileResult(output, record, writer.frame_count, (first, last), notes)


def _progress_saver(folder, config: InpaintConfig, width: int, height: int, say):
    """The save_progress hook (None without a folder); DIP has no single network to show, so it gets a note."""
    if folder is None:
        return None
    if config.method == "dip":
        say("note: DIP trains one network per frame: --save-progress saves its final frames and losses only")
    from videofill.fill.prepare import working_size
    from videofill.fill.progress import ProgressSaver

    size = working_size(width, height, config)
    from videofill.pipeline import effective_bf16, resolve_device

    autocast = effective_bf16(config, resolve_device(config.device))  # as the training will run
    return ProgressSaver(folder, config.progress_every, batch_frames=config.batch_frames, size=size, autocast=autocast)
