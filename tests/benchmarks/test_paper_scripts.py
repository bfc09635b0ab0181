"""Smoke runs of the paper's analysis scripts (benchmarks/paper_*.py, ablation.py) at their smallest configuration on
the shared tiny case: each one runs end to end through its report and figures. Slow: subprocesses that train."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, TINY

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run_script(name: str, *args: str, out: Path) -> None:
    if not TINY.is_dir():
        pytest.skip(f"shared test data not found at {TINY}")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        str(REPO / "benchmarks" / name),
        "--data",
        str(DATA),
        "--cases",
        "tiny",
        "--device",
        "cpu",
        "--out",
        str(out),
        *args,
    ]
    subprocess.run(command, check=True, env=env, cwd=REPO, capture_output=True, text=True)


def test_window_length_smallest(tmp_path):
    run_script(
        "paper_window_length.py",
        "--frames",
        "4",
        "--size",
        "32",
        "16",
        "--depth",
        "2",
        "--steps-per-frame",
        "1",
        "--windows",
        "1",
        "4",
        out=tmp_path,
    )
    report = (tmp_path / "paper_window_length.md").read_text()
    assert "| mean | 4 |" in report and (tmp_path / "paper_window_length.png").is_file()


def test_features_smallest(tmp_path):
    run_script(
        "paper_features.py",
        "--frames",
        "5",
        "--size",
        "32",
        "16",
        "--depth",
        "2",
        "--stride",
        "4",
        "--steps",
        "2",
        out=tmp_path,
    )
    report = (tmp_path / "paper_features.md").read_text()
    assert "| all | dip-vid-flow |" in report and (tmp_path / "paper_features_map.png").is_file()


def test_complexity_smallest_with_the_gpu_flags_on_the_cpu(tmp_path):
    run_script(
        "paper_complexity.py",
        "--extra",
        "0",
        "--preset",
        "test",
        "--seconds",
        "1",
        "--clock",
        "wall",
        "--methods",
        "dip-vid-flow",
        "propagation",
        out=tmp_path,
    )
    report = (tmp_path / "paper_complexity.md").read_text()
    assert "simple (lower half)" in report and (tmp_path / "paper_complexity.png").is_file()


def test_ablation_small_m(tmp_path):
    run_script(
        "ablation.py",
        "--preset",
        "test",
        "--seconds",
        "1",
        "--steps-per-batch",
        "1",
        "--clock",
        "cpu",
        "--methods",
        "dip",
        "dip-vid-flow",
        "--discussion",
        str(tmp_path / "none.md"),
        out=tmp_path,
    )
    assert "equal cpu time" in (tmp_path / "ablation.md").read_text()
