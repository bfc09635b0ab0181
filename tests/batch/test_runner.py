"""End-to-end tests of videofill.batch with a real local Ray (2 CPUs, started once for the module): outputs equal
serial ``videofill inpaint`` runs bit for bit, a bad job fails alone, a rerun does no work, a killed worker's job is
retried, and a clip split into windows on different workers equals the serial run."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from media import smooth_clip

from videofill import cli
from videofill.batch import read_jobs, run_batch
from videofill.config import get_preset
from videofill.io.images import write_png
from videofill.io.video import read_frames

pytestmark = pytest.mark.slow


def _write_case(folder: Path, frames: np.ndarray, mask_height: int | None = None) -> Path:
    """A case folder (frames/, masks/ with a hole moving right); ``mask_height`` != the frames' height: bad masks."""
    count, height, width = frames.shape[:3]
    (folder / "frames").mkdir(parents=True)
    (folder / "masks").mkdir()
    for i, frame in enumerate(frames):
        write_png(folder / "frames" / f"{i:05d}.png", frame)
        mask = np.zeros((mask_height or height, width), np.uint8)
        mask[8:14, 4 + 2 * i : 10 + 2 * i] = 255
        write_png(folder / "masks" / f"{i:05d}.png", mask)
    return folder


#: Every job here runs one propagation pass instead of the default preset's two: half the time, same code paths.
FAST = {"propagation_passes": 1}


def _serial(case: Path, output: Path, *flags: str) -> Path:
    """The same job run by ``videofill inpaint`` in this process (default preset with FAST, and ``flags``)."""
    settings = output.parent / "fast.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    get_preset("default").replace(**FAST).save(settings)
    code = cli.main(["inpaint", str(case / "frames"), str(case / "masks"), "-o", str(output), "--quiet",
                     "--config", str(settings), *flags])
    assert code == 0
    return output


def _same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    same_names = names == sorted(p.name for p in b.iterdir())
    return same_names and all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


@pytest.fixture(scope="module")
def local_ray():
    """One embedded Ray for the module (starting Ray takes ~20 s on a busy 2-core machine); run_batch reuses it.
    Ray is imported here, so that ``pytest -m "not slow"`` does not pay for it."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """Two small clips (6 frames, 24x32) and a clip whose masks have another size; and serial results of the two."""
    root = tmp_path_factory.mktemp("cases")
    first = _write_case(root / "first", smooth_clip(6, 24, 32))
    second = _write_case(root / "second", smooth_clip(7, 24, 32)[1:])
    bad = _write_case(root / "bad", smooth_clip(6, 24, 32), mask_height=20)
    serial = root / "serial"
    return {
        "first": first, "second": second, "bad": bad,
        "first_out": _serial(first, serial / "first"),
        "second_out": _serial(second, serial / "second", "--dilate", "1"),
    }


def _summary(outdir: Path) -> dict[str, dict]:
    with open(outdir / "summary.csv", newline="") as handle:
        return {row["job"]: row for row in csv.DictReader(handle)}


def test_four_jobs_one_bad_then_rerun(local_ray, cases, tmp_path):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(
        "name,input,masks,dilate,propagation_passes\n"
        f"a,{cases['first']}/frames,{cases['first']}/masks,,1\n"
        f"b,{cases['second']}/frames,{cases['second']}/masks,1,1\n"
        f"bad,{cases['bad']}/frames,{cases['bad']}/masks,,1\n"
        f"c,{cases['first']}/frames,{cases['first']}/masks,2,1\n"  # the default's 2 px, given exactly
    )
    out = tmp_path / "out"
    argv = ["batch", str(jobs), "-o", str(out), "--workers", "2", "--format", "png", "--quiet"]
    assert cli.main(argv) == 1  # one job failed
    rows = _summary(out)
    assert [rows[n]["status"] for n in "abc"] == ["done"] * 3
    assert rows["bad"]["status"] == "failed" and rows["bad"]["attempts"] == "1"  # bad input: not retried
    assert "32x20" in rows["bad"]["error"] and "\n" not in rows["bad"]["error"]
    assert all(float(rows[n]["peak_mib"]) > 0 and float(rows[n]["seconds"]) > 0 for n in "abc")
    assert _same_files(out / "a", cases["first_out"]) and _same_files(out / "c", cases["first_out"])
    assert _same_files(out / "b", cases["second_out"])
    assert not (out / "bad").exists() and not (out / "bad.config.json").exists()

    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != "summary.csv"}
    assert cli.main(argv) == 1  # the bad job is tried again and fails again
    rows = _summary(out)
    assert [rows[n]["status"] for n in "abc"] == ["skipped"] * 3 and rows["bad"]["status"] == "failed"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != "summary.csv"} == stamps  # no work redone


def _our_task_workers() -> list[int]:
    """PIDs of Ray workers started by this process (via its raylet) that are running a batch task now."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0]
            if not title.startswith(b"ray::execute"):
                continue
            pid = int(entry.name)
            while pid > 1:  # an ancestor must be this test process (which started Ray), not another user's Ray
                pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if pid == os.getpid():
                    found.append(int(entry.name))
                    break
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_killed_worker_job_is_retried(local_ray, cases, tmp_path):
    jobs = read_jobs(cases["first"].parent, tmp_path / "out", changes=FAST, ending="")
    jobs = [job for job in jobs if job.name == "first"]
    reports = []
    runner = threading.Thread(target=lambda: reports.extend(run_batch(jobs, tmp_path / "out", workers=2, retries=2)))
    runner.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and runner.is_alive() and time.monotonic() < deadline:
        workers = _our_task_workers()
        if workers:  # at once: on an idle machine the whole job takes about half a second
            os.kill(workers[0], signal.SIGKILL)
            killed = workers[0]
        time.sleep(0.05)
    runner.join(timeout=180)
    assert killed is not None, "no worker was seen running the job"
    (report,) = reports
    assert report.status == "done" and report.attempts == 2, report
    assert "Worker" in report.error or "died" in report.error, report.error  # what the retry recovered from
    assert _same_files(tmp_path / "out" / "first", cases["first_out"])
    assert _summary(tmp_path / "out")["first"]["attempts"] == "2"
    # the killed attempt's partial output and checkpoint are gone
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["first", "first.config.json", "summary.csv"]


def test_split_windows_equals_serial(local_ray, tmp_path):
    case = _write_case(tmp_path / "long", smooth_clip(10, 24, 32))
    serial = _serial(case, tmp_path / "serial", "--window", "6", "--overlap", "2")
    jobs = read_jobs(tmp_path, tmp_path / "out", changes={"window": 6, "overlap": 2, **FAST}, ending="")
    lines = []
    (report,) = run_batch(jobs, tmp_path / "out", workers=2, split_windows=True, log=lines.append)
    assert report.status == "done", report
    assert any("2 windows" in line for line in lines), lines
    assert _same_files(tmp_path / "out" / "long", serial)
    assert np.array_equal(read_frames(tmp_path / "out" / "long"), read_frames(serial))
    assert not (tmp_path / "out" / "long.checkpoint").exists()  # the windows' run folder is gone once merged
