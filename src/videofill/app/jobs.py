"""Inpainting runs outside the web request: one worker process per run, one run at a time.

A :class:`Job` runs :func:`videofill.files.inpaint_file` in a child process (``spawn``), so the web server stays
responsive and a run can be stopped at any moment without leaving anything behind. The child reports each written
frame on a queue; :meth:`Job.poll` turns that into a :class:`JobStatus` with an ETA. The child also checks, at each
frame, that its parent is still alive and exits if not, so killing the app cannot leave an orphaned run.

:class:`Runner` holds at most one running job for the whole app (the machine's CPU is the limit, not the number of
users): a second start while one runs is refused with a one-line :class:`~videofill.errors.VideofillError`.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_module
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from videofill.config import InpaintConfig
from videofill.errors import VideofillError

#: Message of a refused second run.
BUSY = "another inpainting run is going; wait for it to finish or stop it"


@dataclass
class JobStatus:
    """Where a run stands."""

    state: str  # "running", "done", "failed" or "stopped"
    done: int  # frames written
    total: int  # frames in the clip (0 until the first report)
    elapsed: float  # seconds since the start
    eta: float | None  # seconds left, estimated from the frames written so far; None before the first frame
    message: str  # one line: the error of a failed run, else ""

    @property
    def fraction(self) -> float:
        """Frames written / frames in the clip, in [0, 1]."""
        return self.done / self.total if self.total else 0.0

    def describe(self) -> str:
        """One line for the page, e.g. ``"inpainting: 12/24 frames, about 8 s left"``."""
        if self.state == "failed":
            return f"error: {self.message}"
        if self.state == "stopped":
            return "the run was stopped"
        if self.state == "done":
            return f"done: {self.done} frames in {self.elapsed:.0f} s"
        left = "estimating the time left" if self.eta is None else f"about {self.eta:.0f} s left"
        return f"inpainting: {self.done}/{self.total or '?'} frames, {self.elapsed:.0f} s so far, {left}"


def _work(input: str, holes_path: str, output: str, config: InpaintConfig, reports, parent: int) -> None:
    """The child process: inpaint ``input`` with the holes saved in ``holes_path`` (bool (T, H, W) ``.npy``)."""
    import numpy as np

    from videofill.files import inpaint_file

    holes = np.load(holes_path, mmap_mode="r")

    def on_frame(done: int, total: int) -> None:
        if os.getppid() != parent:  # the app is gone: nobody will read the result
            os._exit(3)
        reports.put(("frame", done, total))

    try:
        result = inpaint_file(input, lambda s, e: np.asarray(holes[s:e], dtype=bool), output, config,
                              overwrite=True, on_frame=on_frame)
        reports.put(("done", result.frame_count, result.frame_count))
    except VideofillError as err:
        reports.put(("failed", str(err)))
    except Exception as err:  # noqa: BLE001 - the page gets one line; the server log gets the rest
        import traceback

        traceback.print_exc()
        reports.put(("failed", f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"))


class Job:
    """One inpainting run in a child process.

    Args:
        input: the video to inpaint.
        holes_path: a ``.npy`` file of bool (T, H, W) holes, True = hole (one per frame of ``input``).
        output: the ``.mp4`` to write (replaced if it exists).
        config: the settings.
        total: frames in the clip, when known (shown before the first frame is written).
    """

    def __init__(self, input: Path, holes_path: Path, output: Path, config: InpaintConfig, total: int = 0) -> None:
        self.output = Path(output)
        context = mp.get_context("spawn")
        self._reports = context.Queue()
        self._process = context.Process(
            target=_work, args=(str(input), str(holes_path), str(output), config, self._reports, os.getpid()),
            daemon=True, name="videofill-inpaint",
        )
        self._start = time.monotonic()
        self._first_frame: tuple[float, int] | None = None
        self._state, self._done, self._total, self._message = "running", 0, int(total), ""
        self._end: float | None = None
        self._process.start()

    def poll(self) -> JobStatus:
        """Read the child's reports and return the run's status (never blocks)."""
        while True:
            try:
                report = self._reports.get_nowait()
            except (queue_module.Empty, OSError, ValueError):
                break
            self._apply(report)
        if self._state == "running" and not self._process.is_alive() and self._reports.empty():
            time.sleep(0.2)  # a report put just before exiting may still be in the pipe
            try:
                self._apply(self._reports.get_nowait())
            except (queue_module.Empty, OSError, ValueError):
                self._finish("failed", f"the worker stopped unexpectedly (exit code {self._process.exitcode})")
        now = self._end if self._end is not None else time.monotonic()
        eta = None
        if self._state == "running" and self._first_frame is not None and self._done > self._first_frame[1]:
            t0, d0 = self._first_frame
            eta = (now - t0) / (self._done - d0) * (self._total - self._done)
        return JobStatus(self._state, self._done, self._total, now - self._start, eta, self._message)

    def _apply(self, report: tuple) -> None:
        kind = report[0]
        if kind == "frame":
            self._done, self._total = report[1], report[2]
            if self._first_frame is None:
                self._first_frame = (time.monotonic(), 0)
        elif kind == "done":
            self._done = self._total = report[1]
            self._finish("done", "")
        else:
            self._finish("failed", report[1])

    def _finish(self, state: str, message: str) -> None:
        if self._state == "running":
            self._state, self._message, self._end = state, message, time.monotonic()

    @property
    def running(self) -> bool:
        """True until the run has finished, failed or been stopped."""
        return self.poll().state == "running"

    def stop(self) -> None:
        """Stop the run now (the child is terminated, then killed if it does not exit within 5 s)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(5)
        self._finish("stopped", "")
        self._reports.close()

    def wait(self, timeout: float | None = None, every: float = 0.25) -> JobStatus:
        """Poll until the run ends (or ``timeout`` seconds pass) and return its status."""
        limit = None if timeout is None else time.monotonic() + timeout
        status = self.poll()
        while status.state == "running" and (limit is None or time.monotonic() < limit):
            time.sleep(every)
            status = self.poll()
        return status


class Runner:
    """At most one running :class:`Job` for the whole app."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._job: Job | None = None

    def start(self, input: Path, holes_path: Path, output: Path, config: InpaintConfig, total: int = 0) -> Job:
        """Start a :class:`Job`; raises VideofillError (:data:`BUSY`) while another one is going."""
        with self._lock:
            if self._job is not None and self._job.running:
                raise VideofillError(BUSY)
            self._job = Job(input, holes_path, output, config, total)
            return self._job

    def stop_all(self) -> None:
        """Stop the running job, if any (the app is closing)."""
        with self._lock:
            if self._job is not None:
                self._job.stop()
                self._job = None
