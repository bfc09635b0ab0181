"""The ways to start the command: the ``videofill`` script of pyproject.toml, ``python -m videofill`` and
``python -m videofill.cli``."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import videofill

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_script_names_cli_main():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["videofill"]
    module, name = target.split(":")
    assert getattr(importlib.import_module(module), name) is importlib.import_module("videofill.cli").main


@pytest.mark.parametrize("module", ["videofill", "videofill.cli"])
def test_python_dash_m_runs_the_command(module):
    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT / "src")}, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, f"videofill {videofill.__version__}"), done.stderr
