"""The jobs of a batch: read from a CSV, a JSONL or a folder of cases, each resolved to its paths and settings.

A CSV has a header row; a JSONL file has one JSON object per line. Both name, per job:

* ``input`` (required): a video file or a folder of frames;
* ``masks`` (required): a mask folder, a mask video or one mask image (non-zero = hole);
* ``name``: the job's name in the summary (default: the output's name without its ending);
* ``output``: where the result goes, relative to the output folder (default: ``NAME`` + the batch's ending);
* ``preset``: the settings preset (default: the batch's), ``start``, ``end``: the frames to inpaint;
* any :class:`~videofill.config.InpaintConfig` field (``dilate``, ``max_side``, ``window``, ``overlap``, ``crf``,
  ``lossless``, ``seed``, ``max_steps``, ...): laid over the preset. An empty CSV cell leaves the setting alone.

Relative ``input`` and ``masks`` paths are taken from the JOBS file's folder. A folder of cases has one sub-folder
per job holding ``frames/`` and ``masks/`` (the layout of the shared data); other sub-folders are ignored.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from videofill.config import InpaintConfig, get_preset
from videofill.errors import VideofillError

#: Keys of a job that are not settings.
JOB_KEYS = ("name", "input", "masks", "output", "preset", "start", "end")
#: Output endings a batch can write: H.264 video, or "" for a folder of PNG frames.
ENDINGS = (".mp4", ".mkv", ".mov", "")


@dataclass(frozen=True)
class Job:
    """One video to inpaint: what :func:`videofill.files.inpaint_file` is called with."""

    name: str  # unique within the batch; the summary's row
    input: str  # video file or frame folder
    masks: str  # mask folder, mask video or mask image
    output: str  # the result: a video file or a PNG folder (absolute)
    config: InpaintConfig  # the job's settings
    start: str | None = None  # first frame (or time) to inpaint; None: the first
    end: str | None = None  # frame (or time) to stop before; None: the end

    @property
    def record(self) -> Path:
        """The run record ``inpaint_file`` writes last: its presence means the job finished."""
        from videofill.files import record_path_for

        return record_path_for(self.output)

    def finished(self) -> bool:
        """Whether the output and its run record both exist (a rerun skips the job)."""
        return Path(self.output).exists() and self.record.exists()


def read_jobs(
    source: str | os.PathLike,
    outdir: str | os.PathLike,
    *,
    preset: str = "default",
    changes: dict | None = None,
    ending: str = ".mp4",
) -> list[Job]:
    """Read the jobs of a batch.

    Args:
        source: a ``.csv`` or ``.jsonl`` file, or a folder of cases (sub-folders with ``frames/`` and ``masks/``).
        outdir: the output folder; relative outputs go inside it.
        preset: the preset of jobs that do not name one.
        changes: settings laid over every job's preset before the job's own (e.g. ``{"window": 30}``).
        ending: the ending of default outputs: ``.mp4``, ``.mkv``, ``.mov``, or ``""`` for PNG folders.

    Returns:
        the jobs in file (or name) order.

    Raises:
        VideofillError: a missing or unreadable file, an unknown key, a missing input or masks, a duplicate name or
            output, a setting out of range (each one line, naming the job's line).
    """
    source = Path(source)
    if ending not in ENDINGS:
        raise VideofillError(f"unknown output ending {ending!r}; choose one of .mp4, .mkv, .mov or '' (PNG frames)")
    if source.is_dir():
        rows = _case_rows(source)
    elif not source.exists():
        raise VideofillError(f"jobs file {source} does not exist")
    elif source.suffix.lower() == ".csv":
        rows = _csv_rows(source)
    elif source.suffix.lower() in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(source)
    else:
        raise VideofillError(f"cannot read jobs from {source}: give a .csv, a .jsonl or a folder of cases")
    if not rows:
        raise VideofillError(f"no jobs in {source}")
    base = source if source.is_dir() else source.parent
    jobs = [_job(where, row, base, Path(outdir), preset, changes or {}, ending) for where, row in rows]
    for key in ("name", "output"):
        seen: dict[str, str] = {}
        for job in jobs:
            value = str(Path(getattr(job, key)).resolve()) if key == "output" else job.name
            if value in seen:
                raise VideofillError(f"two jobs have the {key} {getattr(job, key)} ({seen[value]} and {job.name})")
            seen[value] = job.name
    return jobs


def _case_rows(folder: Path) -> list[tuple[str, dict]]:
    cases = [sub for sub in sorted(folder.iterdir()) if (sub / "frames").is_dir() and (sub / "masks").is_dir()]
    return [(str(case), {"name": case.name, "input": str(case / "frames"), "masks": str(case / "masks")})
            for case in cases]


def _csv_rows(path: Path) -> list[tuple[str, dict]]:
    try:
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [(f"{path.name} line {reader.line_num}", {k.strip(): (v or "").strip() for k, v in row.items()
                                                            if k is not None})
                    for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise VideofillError(f"cannot read jobs file {path}: {err}") from None
    return [(where, {k: v for k, v in row.items() if v != ""}) for where, row in rows]


def _jsonl_rows(path: Path) -> list[tuple[str, dict]]:
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise VideofillError(f"cannot read jobs file {path}: {err}") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise VideofillError(f"{path.name} line {number} is not JSON") from None
        if not isinstance(row, dict):
            raise VideofillError(f"{path.name} line {number} is not a JSON object")
        rows.append((f"{path.name} line {number}", {k: v for k, v in row.items() if v is not None}))
    return rows


def _job(where: str, row: dict, base: Path, outdir: Path, preset: str, changes: dict, ending: str) -> Job:
    fields = {f.name for f in dataclasses.fields(InpaintConfig)}
    unknown = sorted(set(row) - fields - set(JOB_KEYS))
    if unknown:
        raise VideofillError(f"{where}: unknown key(s) {', '.join(unknown)} (a job has {', '.join(JOB_KEYS)} "
                             "and settings of videofill.config.InpaintConfig)")
    missing = [key for key in ("input", "masks") if not row.get(key)]
    if missing:
        raise VideofillError(f"{where}: no {' or '.join(missing)}")
    input_path, masks = (str(base / os.path.expanduser(str(row[key]))) for key in ("input", "masks"))
    name = str(row.get("name") or "")
    output = row.get("output")
    if not name:
        source = Path(output) if output else Path(input_path)
        name = (source.parent.name if source.name == "frames" and not output else source.stem) or source.name
    output_path = outdir / os.path.expanduser(str(output)) if output else outdir / f"{name}{ending}"
    settings = {key: _setting(where, key, value) for key, value in row.items() if key in fields}
    try:
        if "dilate" in settings:  # a dilation a job gives is in the input's own pixels, as --dilate (not scaled)
            settings["dilate_side"] = None
        config = get_preset(str(row.get("preset") or preset)).replace(**changes).replace(**settings)
    except (VideofillError, TypeError, ValueError) as err:
        raise VideofillError(f"{where}: {err}") from None
    start, end = (None if row.get(key) in (None, "") else str(row[key]) for key in ("start", "end"))
    return Job(name, input_path, masks, str(output_path.absolute()), config, start, end)


def _setting(where: str, key: str, value):
    """A job's setting as the field's type: CSV cells are text ("12", "true", "384x192", "0.5")."""
    if not isinstance(value, str):
        return tuple(value) if isinstance(value, list) else value
    default = getattr(InpaintConfig(), key)
    text = value.strip()
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return text.lower() in ("true", "1", "yes")
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, tuple):
            return tuple(int(v) for v in text.replace("x", ",").split(","))
        if key == "size":
            width, height = text.lower().split("x")
            return int(width), int(height)
        if default is None and key != "vgg_weights":
            return None if text.lower() == "none" else int(text)
    except ValueError:
        raise VideofillError(f"{where}: {key} {text!r} is not a valid value") from None
    return text
