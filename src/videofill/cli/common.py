"""What the commands share: the help formatter, the WxH flag type, messages on stderr, and the marks flags."""

from __future__ import annotations

import argparse
import sys


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: X)" to a flag's help only when the help does not already say its default and X means something."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


def parse_size(text: str) -> tuple[int, int]:
    """``--size WxH`` -> (width, height)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH such as 384x192, got {text!r}") from None
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return width, height


def say(args: argparse.Namespace, message: str) -> None:
    """``message`` on stderr, unless ``--quiet``; a library's ``note: ...`` line as ``videofill: note: ...``, like the
    notes it issues as warnings."""
    if not getattr(args, "quiet", False):
        print(f"videofill: {message}" if message.startswith("note: ") else message, file=sys.stderr)


def add_marks(group, prefix: str = "") -> None:
    """--key/--box/--points, each repeatable: FRAME is a frame number (12) or a time (2.5s)."""
    group.add_argument("--key", action="append", default=[], metavar="FRAME=MASK", help=f"{prefix}a whole mask of the object on a frame (non-zero = object)")
    group.add_argument("--box", action="append", default=[], metavar="FRAME=X0,Y0,X1,Y1", help=f"{prefix}a box around the object on a frame (pixels)")
    group.add_argument("--points", action="append", default=[], metavar="FRAME=X,Y[,X,Y...]", help=f"{prefix}pixels on the object on a frame")


def mark_texts(args: argparse.Namespace) -> list:
    """The marks flags as :class:`~videofill.track.files.MarkText` (parsed against the video later)."""
    from videofill.track.files import MarkText

    return [MarkText(kind, text) for kind in ("key", "box", "points") for text in getattr(args, kind, [])]
