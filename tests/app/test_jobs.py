"""Runs outside the request: a worker process per run, one run at a time, nothing left behind when stopped."""

import numpy as np
import pytest

from videofill.app import jobs
from videofill.app.jobs import BUSY, Job, JobStatus, Runner
from videofill.config import get_preset
from videofill.errors import VideofillError
from videofill.io.video import read_frames
from videofill.io.writer import write_frames


def test_status_lines():
    running = JobStatus("running", 6, 24, 10.0, 30.0, "")
    assert running.fraction == 0.25
    assert running.describe() == "inpainting: 6/24 frames, 10 s so far, about 30 s left"
    assert JobStatus("running", 0, 0, 1.0, None, "").describe().endswith("estimating the time left")
    assert JobStatus("failed", 0, 0, 1.0, None, "bad mask").describe() == "error: bad mask"
    assert JobStatus("done", 24, 24, 12.4, None, "").describe() == "done: 24 frames in 12 s"


class _FakeJob:
    def __init__(self, *args):
        self.running = True

    def stop(self):
        self.running = False


def test_a_second_run_is_refused(monkeypatch):
    monkeypatch.setattr(jobs, "Job", _FakeJob)
    runner = Runner()
    first = runner.start(None, None, None, None)
    with pytest.raises(VideofillError, match=BUSY):
        runner.start(None, None, None, None)
    first.running = False  # finished: the next one may start
    second = runner.start(None, None, None, None)
    runner.stop_all()
    assert not second.running


@pytest.fixture
def clip(tmp_path):
    frames = np.random.default_rng(1).integers(0, 255, (8, 32, 48, 3), dtype=np.uint8)
    holes = np.zeros((8, 32, 48), bool)
    holes[:, 10:20, 15:30] = True
    np.save(tmp_path / "holes.npy", holes)
    return write_frames(tmp_path / "in.mp4", frames, 8, lossless=True), tmp_path / "holes.npy", frames, holes


def test_stop_leaves_no_process(clip, tmp_path):
    video, holes_path, _, _ = clip
    job = Job(video, holes_path, tmp_path / "out.mp4", get_preset("default"))
    job.stop()
    assert not job._process.is_alive() and job.poll().state == "stopped"
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.slow
def test_job_inpaints_in_a_worker(clip, tmp_path):
    video, holes_path, frames, holes = clip
    job = Job(video, holes_path, tmp_path / "out.mp4", get_preset("default").replace(lossless=True, dilate=0), total=8)
    assert job.poll().total == 8  # known before the first frame is written
    status = job.wait(timeout=120)
    assert status.state == "done" and status.done == status.total == 8, status
    result = read_frames(tmp_path / "out.mp4")
    np.testing.assert_array_equal(result[:, ~holes[0]], frames[:, ~holes[0]])  # known pixels kept exactly
    assert not job._process.is_alive() or job._process.join(5) is None


@pytest.mark.slow
def test_job_reports_bad_input_in_one_line(tmp_path):
    np.save(tmp_path / "holes.npy", np.zeros((2, 8, 8), bool))
    (tmp_path / "in.mp4").write_bytes(b"not a video")
    status = Job(tmp_path / "in.mp4", tmp_path / "holes.npy", tmp_path / "out.mp4", get_preset("default")).wait(60)
    assert status.state == "failed" and "\n" not in status.message and status.message
