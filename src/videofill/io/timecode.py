"""Frame numbers from what users type: ``120``, ``12.5s``, ``1:02.5``, ``00:01:02.5``, and half-open frame ranges."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from videofill.errors import VideofillError

_SECONDS = re.compile(r"(\d+(?:\.\d+)?)s")



_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)")



def frame_at(text: str, fps: Fraction) -> int:
    """A frame index from a frame number (``"120"``) or a time (``"12.5s"``, ``"1:02.5"``, ``"00:01:02.5"``).

    A time ``t`` seconds is the frame shown at that moment, ``floor(t * fps)``, computed exactly with fractions (so
    ``--start 1s --end 2s`` is exactly one second of frames, also at 30000/1001 fps).

    Raises:
        VideofillError: text that is neither.
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    if match := _SECONDS.fullmatch(text):
        seconds = Fraction(match[1])
    elif match := _CLOCK.fullmatch(text):
        hours, minutes, rest = int(match[1] or 0), int(match[2]), Fraction(match[3])
        if rest >= 60 or (match[1] is not None and minutes >= 60):
            raise VideofillError(f"{text!r} is not a valid time: minutes and seconds must be below 60")
        seconds = 3600 * hours + 60 * minutes + rest
    else:
        raise VideofillError(f"expected a frame number (120) or a time (12.5s, 1:02.5, 00:01:02.5), got {text!r}")
    return math.floor(seconds * Fraction(fps))



def frame_range(start: str | None, end: str | None, frame_count: int, fps: Fraction) -> tuple[int, int]:
    """The half-open range ``[S, E)`` of frames to process, from ``--start``/``--end`` texts (see :func:`frame_at`).

    None means the clip's first frame / its end; an end past the clip is clipped to it.

    Raises:
        VideofillError: a text that is not a frame or a time, a start at or past the end of the clip, or an empty
            range.
    """
    first = frame_at(start, fps) if start is not None else 0
    last = min(frame_at(end, fps), frame_count) if end is not None else frame_count
    if first >= frame_count:
        raise VideofillError(f"--start {start} is frame {first} but the clip has {frame_count} frames (0..{frame_count - 1})")
    if last <= first:
        raise VideofillError(f"--end {end} (frame {last}) must come after --start {start or 0} (frame {first})")
    return first, last

