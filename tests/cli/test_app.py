"""``videofill app`` (videofill.cli.app): its options, one-line errors, and no Gradio import for ``videofill --help``."""

import subprocess
import sys
from pathlib import Path

from videofill import cli
from videofill.cli.app import cmd_app

SRC = Path(__file__).resolve().parents[2] / "src"


def test_defaults_bind_to_localhost():
    args = cli.build_parser().parse_args(["app"])
    assert (args.host, args.port, args.max_upload_mb) == ("127.0.0.1", 7860, 500)
    assert args.run is cmd_app


def test_bad_options_are_one_line(capsys):
    assert cli.main(["app", "--port", "70000"]) == 2
    assert cli.main(["app", "--max-upload-mb", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["videofill: error: --port must be 1..65535, got 70000",
                   "videofill: error: --max-upload-mb must be positive, got 0.0"]


def test_help_does_not_import_gradio():
    code = "import sys; from videofill import cli; cli.build_parser(); print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(SRC)}).stdout
    assert out.strip() == "False"
