"""The ways to start the command: the ``videofill`` script of pyproject.toml, ``python -m videofill`` and
``python -m videofill.cli``."""

import argparse
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


@pytest.mark.parametrize("argv", [["inpaint", "in.mp4", "m", "-o", "o.mp4", "--max-side", "abc"],
                                  ["inpaint", "--no-such-flag"], ["no-such-command"]])
def test_a_refused_flag_is_one_line_with_status_2(argv, capsys):
    from videofill import cli

    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert stop.value.code == 2 and len(lines) == 1, err
    assert lines[0].startswith("videofill") and ": error: " in lines[0] and "--help" in lines[0]


def test_a_closed_pipe_on_stdout_stops_quietly(monkeypatch, tmp_path, capsys):
    from videofill import cli

    def run(args):
        raise BrokenPipeError(32, "Broken pipe")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    monkeypatch.setattr(parser, "parse_args", lambda argv: argparse.Namespace(run=run, command="eval"))
    with (tmp_path / "stdout").open("w") as stdout:  # main points stdout's descriptor elsewhere: not the test's
        monkeypatch.setattr(sys, "stdout", stdout)
        assert cli.main(["eval"]) == 1
    assert "Traceback" not in capsys.readouterr().err
