"""Atomic file output: write beside the target under a temporary name, fsync, then rename into place.

One place for it: outputs, checkpoints and window state all go through :func:`atomic_write` or
:func:`move_into_place`; :func:`remove_stale_partials` deletes what a killed writer left behind.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO, Callable

from videofill.errors import VideofillError


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Write a file through a temporary sibling: ``write(handle)`` fills it, it is fsync'ed, then renamed to ``path``.

    A reader never sees a half-written ``path``, also after a kill or a power cut; a crash during ``write`` leaves
    only the hidden temporary file, which :func:`remove_stale_partials` (or the next write) removes.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def move_into_place(tmp: Path, final: Path, overwrite: bool) -> None:
    """Rename a finished temporary file or folder to ``final``, replacing an old ``final`` only when allowed.

    A file replacing a file is one atomic rename; otherwise the old output is renamed aside first and deleted last.

    Raises:
        VideofillError: ``final`` exists and ``overwrite`` is False (``tmp`` is then left for the caller to delete).
    """
    if final.exists() or final.is_symlink():
        if not overwrite:
            raise VideofillError(f"{final} already exists; pass overwrite=True (--overwrite) to replace it")
        if tmp.is_file() and final.is_file():
            os.replace(tmp, final)
            return
        aside = final.with_name(f".{final.name}.{secrets.token_hex(4)}.old")
        os.replace(final, aside)
        os.replace(tmp, final)
        remove_path(aside)
    else:
        os.replace(tmp, final)



def temporary_sibling(path: Path, suffix: str = "") -> Path:
    """A fresh hidden name in the folder of ``path`` for writing it atomically: ``.NAME.1a2b3c4d.partialSUFFIX``."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial{suffix}")



def remove_stale_partials(path: str | os.PathLike) -> list[Path]:
    """Delete what a killed writer of ``path`` left: its :func:`temporary_sibling` files and folders.

    A writer that is stopped cleanly deletes its temporary itself; one killed with SIGKILL (or a power cut) cannot.
    Only call this when no other process is writing ``path``.

    Returns:
        the paths removed.
    """
    path = Path(path)
    parent = path.absolute().parent
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}\.partial(\.\w+)?")
    try:
        stale = [p for p in parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:  # a missing or unreadable folder holds nothing of ours
        return []
    for leftover in stale:
        try:
            remove_path(leftover)
        except OSError:  # not ours to delete after all (permissions): leave it
            pass
    return stale

