"""The ``videofill`` command: inpaint, track, eval-masks, batch, app, eval, compose, viz, sample.

The command line only parses flags and calls the library (:func:`videofill.files.inpaint_file`,
:func:`videofill.eval.report.evaluate`, ...). Any VideofillError (bad input) is printed as one line and the command
exits with status 2, leaving nothing at the output path; so does a flag the parser refuses (:class:`Parser`). Notes
(warnings the library issues) are printed once each, as ``videofill: note: ...``; ``--quiet`` silences them.
Parsing and ``--help`` do not import torch.

This module builds the parser and runs a command (:func:`main`); each command's flags and call live in the module
named after it: :mod:`~videofill.cli.inpaint`, :mod:`~videofill.cli.track` (track, eval-masks),
:mod:`~videofill.cli.batch`, :mod:`~videofill.cli.app`, :mod:`~videofill.cli.evaluate` (eval, compose, sample),
:mod:`~videofill.cli.viz`; :mod:`~videofill.cli.common` holds what they share.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings

from videofill import __version__
from videofill.cli.app import add_app
from videofill.cli.batch import add_batch
from videofill.cli.common import HelpFormatter
from videofill.cli.evaluate import add_compose, add_eval, add_sample
from videofill.cli.inpaint import add_inpaint
from videofill.cli.track import add_eval_masks, add_track
from videofill.cli.viz import add_viz
from videofill.errors import VideofillError


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``videofill inpaint: error: ...``, where to find the usage),
    exit status 2, like every other bad input; its subcommands' parsers are of this class too."""

    def error(self, message: str):
        stray = message.split("unrecognized arguments: ", 1)[1].split() if "unrecognized arguments: " in message else []
        if "plate" in stray:  # --spatial-fill thin plate, unquoted: the shell split the name in two
            message += ' (quote a name with a space: --spatial-fill "thin plate")'
        self.exit(2, f"{self.prog}: error: {message} (usage: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="videofill",
        description="Video inpainting by internal learning (Zhang et al., ICCV 2019). Masks: non-zero = hole.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"videofill {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    add_inpaint(commands)
    add_track(commands)
    add_eval_masks(commands)
    add_batch(commands)
    add_app(commands)
    add_eval(commands)
    add_compose(commands)
    add_viz(commands)
    add_sample(commands)
    return parser


def _print_notes(args: argparse.Namespace):
    """A ``warnings.showwarning`` that prints each note once as ``videofill: note: ...`` (nothing with --quiet)."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = str(message)
        if text in seen or getattr(args, "quiet", False):
            return
        seen.add(text)
        print(f"videofill: note: {text}", file=sys.stderr)

    return show


def _stop_on_sigterm(number, _frame) -> None:
    raise KeyboardInterrupt(f"signal {number}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.simplefilter("always")
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)  # like Ctrl-C: training saves a checkpoint first
    shown = warnings.showwarning
    warnings.showwarning = _print_notes(args)
    try:
        return args.run(args)
    except VideofillError as err:
        print(f"videofill: error: {err}", file=sys.stderr)
        return VideofillError.exit_code
    except BrokenPipeError:  # the reader of stdout went away (videofill eval ... | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the exit's flush cannot fail again
        return 1
    except KeyboardInterrupt:
        hint = " (run the same command with --resume to continue)" if getattr(args, "command", None) == "inpaint" else ""
        print(f"videofill: interrupted{hint}", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        warnings.showwarning = shown
