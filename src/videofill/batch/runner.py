"""Run a batch of jobs on Ray: embedded on this machine, or on an existing cluster.

Each job is a Ray task running :func:`videofill.files.inpaint_file` (or, with ``split_windows``, one task per window
and a merge task, see :mod:`videofill.batch.tasks`). At most ``workers`` tasks are in flight. A task that fails is
sent again, up to ``retries`` more times, unless it failed on bad input (a :class:`~videofill.errors.VideofillError`
fails the same way every time); a job that still fails is reported and the others go on. Finished jobs (output and
run record present) are skipped, so running the same batch again continues it. ``OUTDIR/summary.csv`` is rewritten
(atomically) as each job ends.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from videofill.batch.jobs import Job
from videofill.errors import VideofillError

SUMMARY_NAME = "summary.csv"
SUMMARY_FIELDS = ("job", "status", "attempts", "seconds", "peak_mib", "error")


@dataclass
class JobReport:
    """A job's line of the summary."""

    job: str  # the job's name
    status: str = "pending"  # pending | done | skipped (finished by an earlier run) | failed
    attempts: int = 0  # tries of the job's task (with split windows: of its most-tried task)
    seconds: float = 0.0  # wall time from the job's first task starting to its output being written
    peak_mib: float = 0.0  # peak resident memory of a worker while running the job's tasks (MiB)
    error: str = ""  # the last failure, one line (for a job done after a retry: what it recovered from)
    cpu_seconds: float = 0.0  # CPU time of the job's successful tasks on their workers (not in summary.csv)
    notes: list[str] = field(default_factory=list)  # the library's notes about the result


def run_batch(
    jobs: Sequence[Job],
    outdir: str | os.PathLike,
    *,
    workers: int | None = None,
    address: str | None = None,
    retries: int = 2,
    split_windows: bool = False,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> list[JobReport]:
    """Run ``jobs`` on Ray and write ``outdir/summary.csv``.

    Args:
        jobs: from :func:`videofill.batch.jobs.read_jobs`.
        outdir: where the summary goes (created, on this machine).
        workers: tasks run at once; None: this machine's CPUs, or the cluster's with ``address``. Without
            ``address`` Ray is started here with this many CPUs (and stopped at the end).
        address: an existing Ray cluster (``"auto"``, ``"ray://HOST:10001"``, ``"HOST:6379"``); its nodes must see
            the jobs' paths (shared storage) and have videofill installed. Ignored when Ray is already initialised.
        retries: times a failed task is sent again (a crash, a killed worker); bad input is not retried.
        split_windows: cut each job into its windows (``config.window``, ``config.overlap``), inpaint them on
            different workers, then merge them: the same output as one task, sooner for a long clip.
        progress: a progress bar over jobs.
        log: called with each line the user should read (failures, retries); None: silent.

    Returns:
        one :class:`JobReport` per job, in the order of ``jobs``.
    """
    if retries < 0 or (workers is not None and workers < 1):
        raise VideofillError("--retries must be 0 or more and --workers at least 1")
    say = log or (lambda _line: None)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    reports = [JobReport(job.name) for job in jobs]
    todo = []
    for number, job in enumerate(jobs):
        if job.finished():
            reports[number].status = "skipped"
        else:
            todo.append(number)
    write_summary(outdir / SUMMARY_NAME, reports)
    if todo:
        say(f"{len(jobs)} jobs: {len(jobs) - len(todo)} finished before, {len(todo)} to run")
    else:
        say(f"all {len(jobs)} jobs finished before: nothing to do")
        return reports
    from tqdm.auto import tqdm

    started_ray = _start_ray(workers, address)
    try:
        bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), desc="jobs", unit="job", disable=not progress,
                   dynamic_ncols=True)
        if progress:
            say = _above(bar, say)
        try:
            _Scheduler(jobs, reports, todo, outdir, _slots(workers), retries, split_windows, bar, say).run()
        finally:
            bar.close()
    finally:
        if started_ray:
            import ray

            ray.shutdown()
    return reports


def write_summary(path: str | os.PathLike, reports: Sequence[JobReport]) -> None:
    """Write the summary CSV (job, status, attempts, seconds, peak_mib, error) atomically."""
    from videofill.io.atomic import atomic_write

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(SUMMARY_FIELDS)
    for r in reports:
        writer.writerow([r.job, r.status, r.attempts, f"{r.seconds:.2f}", f"{r.peak_mib:.0f}", r.error])
    atomic_write(path, lambda handle: handle.write(text.getvalue().encode()))


def execute(kind: str, job: Job, index: int = 0, span: tuple[int, int] | None = None):
    """The one function Ray runs: ``kind`` is ``"job"`` (the whole job), ``"plan"`` (its windows), ``"window"``
    (window ``index``, frames ``span``) or ``"merge"`` (the output from the finished windows)."""
    from videofill.batch import tasks

    if kind == "job":
        return tasks.run_job(job)
    if kind == "plan":
        return tasks.job_windows(job)
    if kind == "window":
        return tasks.run_window(job, index, span)
    if kind == "merge":
        return tasks.merge_windows(job)
    raise ValueError(f"unknown task kind {kind!r}")


class _Scheduler:
    """Keeps at most ``slots`` tasks in flight, earlier jobs first; retries, and records each job's report."""

    def __init__(self, jobs, reports, todo, outdir, slots, retries, split, bar, say) -> None:
        import ray

        self.ray = ray
        self.remote = ray.remote(num_cpus=1, max_retries=0)(execute)
        self.jobs, self.reports, self.outdir = jobs, reports, Path(outdir)
        self.slots, self.retries, self.bar, self.say = slots, retries, bar, say
        first = "plan" if split else "job"
        self.queue: deque[tuple[int, str, int, tuple | None]] = deque((n, first, 0, None) for n in todo)
        self.tries: dict[tuple[int, str, int], int] = {}
        self.windows_left: dict[int, int] = {}
        self.started: dict[int, float] = {}

    def run(self) -> None:
        in_flight: dict = {}
        while self.queue or in_flight:
            while self.queue and len(in_flight) < self.slots:
                unit = self.queue.popleft()
                number, kind, index, span = unit
                if self.reports[number].status != "pending":
                    continue  # the job failed meanwhile
                key = (number, kind, index)
                self.tries[key] = self.tries.get(key, 0) + 1
                self.started.setdefault(number, time.perf_counter())
                in_flight[self.remote.remote(kind, self.jobs[number], index, span)] = unit
            ready, _ = self.ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                unit = in_flight.pop(ref)
                try:
                    value = self.ray.get(ref)
                except Exception as err:  # a task's own exception (wrapped by Ray) or a dead worker
                    self._failed(unit, err)
                else:
                    self._succeeded(unit, value)

    def _succeeded(self, unit, value) -> None:
        number, kind, _index, _span = unit
        report = self.reports[number]
        if report.status != "pending":
            return
        report.attempts = max(report.attempts, self.tries[(number, kind, unit[2])])
        if kind == "plan" and not value:
            self._finish(number, "skipped")  # finished, as the worker sees the shared storage
            return
        if kind == "plan":
            self.say(f"{report.job}: {len(value)} window{'s' if len(value) > 1 else ''}, frames "
                     + ", ".join(f"{s}..{e - 1}" for s, e in value))
            if len(value) == 1:
                self.queue.appendleft((number, "merge", 0, None))
            else:
                self.windows_left[number] = len(value)
                self.queue.extendleft(reversed([(number, "window", i, tuple(s)) for i, s in enumerate(value)]))
            return
        if value.skipped:
            self._finish(number, "skipped")
            return
        report.peak_mib = max(report.peak_mib, value.peak_mib)
        report.cpu_seconds += value.cpu_seconds
        report.notes = list(dict.fromkeys(report.notes + value.notes))
        if kind == "window":
            self.windows_left[number] -= 1
            if self.windows_left[number] == 0:
                self.queue.appendleft((number, "merge", 0, None))
            return
        self._finish(number, "done")

    def _failed(self, unit, err: Exception) -> None:
        number, kind, index, _span = unit
        report = self.reports[number]
        if report.status != "pending":
            return
        tries = self.tries[(number, kind, index)]
        report.attempts = max(report.attempts, tries)
        cause = getattr(err, "cause", None) or err
        bad_input = isinstance(cause, VideofillError)
        report.error = _one_line(cause)
        what = f"{report.job}" + (f" window {index + 1}" if kind == "window" else "")
        if not bad_input and tries <= self.retries:
            self.say(f"{what} failed (attempt {tries}), retrying: {report.error}")
            self.queue.appendleft(unit)
            return
        self.say(f"{what} failed: {report.error}")
        self._finish(number, "failed")

    def _finish(self, number: int, status: str) -> None:
        report = self.reports[number]
        report.status = status
        report.seconds = time.perf_counter() - self.started[number]
        write_summary(self.outdir / SUMMARY_NAME, self.reports)
        self.bar.update(1)
        failed = sum(r.status == "failed" for r in self.reports)
        if failed:
            self.bar.set_postfix(failed=failed)


def _one_line(err: BaseException) -> str:
    """An exception as one line: a VideofillError's message, else ``Type: first line``."""
    from videofill.errors import VideofillError as _Bad

    text = str(err).strip().splitlines()
    first = text[0] if text else ""
    if isinstance(err, _Bad):
        return first
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


def _start_ray(workers: int | None, address: str | None) -> bool:
    """Connect to ``address``, or start Ray here with ``workers`` CPUs; False when Ray was already initialised."""
    os.environ.setdefault("RAY_DISABLE_IMPORT_WARNING", "1")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise VideofillError("the batch runner needs Ray: pip install 'videofill[batch]'") from None
    if ray.is_initialized():
        return False
    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=workers or os.cpu_count() or 1, **options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = f" at {address}" if address else ""
        raise VideofillError(f"cannot start or reach Ray{where}: {_one_line(err)}") from None
    return True


def _slots(workers: int | None) -> int:
    """Tasks in flight at once: ``workers``, else the CPUs Ray has."""
    if workers:
        return workers
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _above(bar, say):
    """``say`` printing above the progress bar (the bar is cleared, then drawn again)."""

    def write(line: str) -> None:
        with bar.external_write_mode():
            say(line)

    return write
