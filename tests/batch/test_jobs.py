"""Tests of videofill.batch.jobs (reading a batch's jobs) and the Ray-free parts of the runner and tasks."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from videofill.batch import JobReport, read_jobs, write_summary
from videofill.batch.tasks import _Measure
from videofill.config import get_preset
from videofill.errors import VideofillError


def test_csv_jobs_with_typed_settings_and_defaults(tmp_path):
    listing = tmp_path / "jobs.csv"
    listing.write_text(
        "input,masks,name,output,preset,dilate,lossless,epochs,size,start,end\n"
        "clips/a.mp4,masks/a,,,,4,true,,,,\n"
        "/data/b,/data/b_masks,bee,b/out.mkv,test,,no,2.5,64x32,10,2s\n"
    )
    a, b = read_jobs(listing, tmp_path / "out", preset="default", changes={"window": 30})
    assert (a.name, a.input, a.masks) == ("a", str(tmp_path / "clips/a.mp4"), str(tmp_path / "masks/a"))
    assert a.output == str((tmp_path / "out" / "a.mp4").absolute())
    assert a.config == get_preset("default").replace(window=30, dilate=4, dilate_side=None, lossless=True)  # exact px
    assert (a.start, a.end) == (None, None)
    assert (b.name, b.input, b.output) == ("bee", "/data/b", str((tmp_path / "out" / "b" / "out.mkv").absolute()))
    assert b.config == get_preset("test").replace(window=30, lossless=False, epochs=2.5, size=(64, 32))
    assert (b.start, b.end) == ("10", "2s")


def test_jsonl_jobs_and_case_folders(tmp_path):
    listing = tmp_path / "jobs.jsonl"
    listing.write_text(json.dumps({"input": "x/frames", "masks": "x/masks", "max_side": 96, "crf": None}) + "\n\n"
                       + json.dumps({"input": "y.mov", "masks": "y.png", "channels": [8, 16]}) + "\n")
    x, y = read_jobs(listing, tmp_path / "out", ending="")
    assert (x.name, x.output) == ("x", str((tmp_path / "out" / "x").absolute()))  # frames/ is named by its folder
    assert x.config == get_preset("default").replace(max_side=96)
    assert y.config.channels == (8, 16) and y.output.endswith("/out/y")

    for case in ("one", "two"):
        (tmp_path / "cases" / case / "frames").mkdir(parents=True)
        (tmp_path / "cases" / case / "masks").mkdir()
    (tmp_path / "cases" / "notes").mkdir()  # not a case: ignored
    jobs = read_jobs(tmp_path / "cases", tmp_path / "out")
    assert [(j.name, j.input) for j in jobs] == [(c, str(tmp_path / "cases" / c / "frames")) for c in ("one", "two")]


@pytest.mark.parametrize("text, message", [
    ("input,masks,colour\na,b,red\n", "unknown key"),
    ("input,masks\na,\n", "no masks"),
    ("input,masks,dilate\na,b,-1\n", "line 2: --dilate must be 0 or more"),
    ("input,masks,dilate\na,b,two\n", "dilate 'two' is not a valid value"),
    ("input,masks,preset\na,b,fast\n", "unknown preset"),
    ("input,masks\na.mp4,b\nother/a.mov,c\n", "two jobs have the name a"),
    ("input,masks\n", "no jobs"),
])
def test_bad_jobs_files_are_one_line_errors(tmp_path, text, message):
    listing = tmp_path / "jobs.csv"
    listing.write_text(text)
    with pytest.raises(VideofillError, match=message):
        read_jobs(listing, tmp_path / "out")


def test_missing_or_unknown_jobs_source(tmp_path):
    with pytest.raises(VideofillError, match="does not exist"):
        read_jobs(tmp_path / "nope.csv", tmp_path)
    (tmp_path / "jobs.txt").write_text("x")
    with pytest.raises(VideofillError, match="csv"):
        read_jobs(tmp_path / "jobs.txt", tmp_path)


def test_finished_needs_output_and_run_record(tmp_path):
    (tmp_path / "jobs.csv").write_text("input,masks\na.mp4,m\n")
    (job,) = read_jobs(tmp_path / "jobs.csv", tmp_path / "out")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.mp4").write_bytes(b"")
    assert not job.finished()  # no run record: the run did not end
    (tmp_path / "out" / "a.mp4.config.json").write_text("{}")
    assert job.finished()


def test_summary_csv(tmp_path):
    reports = [JobReport("a", "done", 1, 12.345, 410.4), JobReport("b, c", "failed", 3, 0.5, 0, 'bad "mask"')]
    write_summary(tmp_path / "summary.csv", reports)
    with open(tmp_path / "summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {"job": "a", "status": "done", "attempts": "1", "seconds": "12.35", "peak_mib": "410", "error": ""},
        {"job": "b, c", "status": "failed", "attempts": "3", "seconds": "0.50", "peak_mib": "0", "error": 'bad "mask"'},
    ]


def test_peak_memory_sees_an_allocation():
    with _Measure() as small:
        pass
    with _Measure() as big:
        block = np.ones(64 * 2**20, np.uint8)  # 64 MiB, touched
        del block
    assert big.peak_mib - small.peak_mib > 60
