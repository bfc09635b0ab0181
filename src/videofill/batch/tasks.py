"""What a batch worker runs: a whole job, one window of a job, or the merge of a job's windows.

Each is a plain function (Python users and tests can call them without Ray); :mod:`videofill.batch.runner` sends them
to Ray workers. Each returns :class:`TaskOutcome`. A window's result is kept in the job's run folder
(``OUTPUT.checkpoint/window_NNNNN/``, see :func:`videofill.stream.inpaint_window`), so the merge, which is
:func:`videofill.files.inpaint_file` resuming that run, reloads every window and cross-fades the overlaps exactly as
the serial run does: the output is the serial run's, bit for bit.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field

from videofill.batch.jobs import Job


@dataclass
class TaskOutcome:
    """What one task reports back."""

    seconds: float  # wall time of the task on its worker
    cpu_seconds: float  # CPU time of the worker process during the task (user + system, all its threads)
    peak_mib: float  # peak resident memory of the worker process during the task (MiB)
    notes: list[str] = field(default_factory=list)  # the library's notes about the result
    pid: int = 0  # the worker process
    skipped: bool = False  # the job was found finished (its output and run record exist): nothing was done


def run_job(job: Job, resume: bool = True) -> TaskOutcome:
    """Inpaint a whole job with :func:`videofill.files.inpaint_file` (an existing output is replaced).

    ``resume``: continue from the job's checkpoint folder when an earlier attempt left one (a killed worker).
    A finished job (output and run record present, as this worker sees the shared storage) is skipped.

    Raises:
        VideofillError: bad input (see :func:`~videofill.files.inpaint_file`); anything else a crash raises.
    """
    from videofill.files import inpaint_file

    if job.finished():
        return TaskOutcome(0.0, 0.0, 0.0, skipped=True, pid=os.getpid())
    with _Measure() as measure:
        result = inpaint_file(job.input, job.masks, job.output, job.config, start=job.start, end=job.end,
                              overwrite=True, resume=resume)
    return measure.outcome(result.notes)


def job_windows(job: Job) -> list[tuple[int, int]]:
    """The windows ``(s, e)`` (absolute frames, half-open) the job's inpainted range is cut into; none when the job
    is finished already.

    Raises:
        VideofillError: an unreadable input, a bad frame range or window settings.
    """
    from videofill.io.timecode import frame_range
    from videofill.io.video import probe
    from videofill.stream import window_ranges

    if job.finished():
        return []
    info = probe(job.input)
    first, last = frame_range(job.start, job.end, info.frame_count, info.fps)
    return window_ranges(first, last, job.config.window, job.config.overlap, job.config.batch_frames)


def run_window(job: Job, index: int, span: tuple[int, int]) -> TaskOutcome:
    """Inpaint window ``index`` (frames ``span = (s, e)``) of a job into the job's run folder; a window finished by an
    earlier attempt or run is kept.

    Raises:
        VideofillError: bad input; anything else a crash raises.
    """
    from videofill.files import run_dir_for
    from videofill.io.masks import iter_masks
    from videofill.io.video import iter_frames, probe
    from videofill.stream import inpaint_window, window_folder

    start, end = span
    with _Measure() as measure:
        info = probe(job.input)
        frames = _stack(iter_frames(job.input, start, end))
        holes = _stack(iter_masks(job.masks, end - start, (info.width, info.height), start=start,
                                  total=info.frame_count))
        folder = window_folder(run_dir_for(job.output), index)
        _result, answer = inpaint_window(span, frames, holes, job.config, folder, resume=True)
    return measure.outcome(answer.notes if answer is not None else [])


def merge_windows(job: Job) -> TaskOutcome:
    """Write a job's output from its finished windows: :func:`videofill.files.inpaint_file` resuming the run folder
    the windows were written to, so the overlaps are cross-faded as in a serial run (a missing window is computed)."""
    return run_job(job, resume=True)


def _stack(frames):
    import numpy as np

    return np.stack(list(frames))


class _Measure:
    """Wall time, CPU time and peak resident memory of this process over a ``with`` block (memory on Linux: the
    kernel's high-water mark, reset at the start; elsewhere the process's lifetime peak)."""

    def __enter__(self) -> "_Measure":
        self._reset = _reset_peak()
        self._start = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._start
        self.cpu_seconds = time.process_time() - self._cpu
        self.peak_mib = _peak_mib(self._reset)

    def outcome(self, notes) -> TaskOutcome:
        return TaskOutcome(self.seconds, self.cpu_seconds, self.peak_mib, list(notes), os.getpid())


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM, the peak resident set size
        return True
    except OSError:
        return False


def _peak_mib(reset: bool) -> float:
    if reset:
        try:
            with open("/proc/self/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
