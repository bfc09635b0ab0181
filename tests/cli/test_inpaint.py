"""``videofill inpaint`` (videofill.cli.inpaint): reliability (issue 7).

- A run killed with SIGKILL and continued with ``--resume`` gives the same frames, bit for bit, as a run that was
  never interrupted (subprocesses, PNG-folder output).
- Every bad input ends with exit status 2, one line on stderr that names the problem and the file, no traceback,
  and nothing written at the output path (no output, no ``OUTPUT.config.json``, no ``OUTPUT.checkpoint/``).

Most cases call :func:`videofill.cli.main` in-process (fast); the kill test and one bad-input check run the real
``python -m videofill.cli`` in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from videofill import cli
from videofill.files import record_path_for, run_dir_for
from videofill.io.video import read_frames
from videofill.io.writer import write_frames

# One thread per run: the result must not depend on how busy the machine is, and two runs share the cores.
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
FAST = ["--preset", "test", "--quiet"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes: 'nothing written' means this did not change."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} | {
        str(p.relative_to(folder)) + "/": b"" for p in sorted(folder.rglob("*")) if p.is_dir()
    }


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    """``videofill.cli.main(argv)`` in this process: (exit status, stdout, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *words: str) -> None:
    """stderr is exactly one 'videofill: error: ...' line, mentioning every word (case-insensitive), no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("videofill: error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"


def copy_case(tiny_dir: Path, to: Path) -> tuple[Path, Path]:
    """A writable copy of the tiny case's frames/ and masks/ folders (12 frames, 96x48)."""
    frames, masks = to / "frames", to / "masks"
    shutil.copytree(tiny_dir / "frames", frames)
    shutil.copytree(tiny_dir / "masks", masks)
    return frames, masks


# --- kill -9 and --resume --------------------------------------------------------------------------------------


def inpaint_command(tiny_dir: Path, output: Path, steps: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "videofill.cli", "inpaint", str(tiny_dir / "frames"), str(tiny_dir / "masks"),
        "-o", str(output), "--preset", "test", "--max-steps", str(steps), "--steps-per-batch", "5", "--epochs", "50",
        "--quiet", *extra,
    ]  # fmt: skip


def wait_for_training(process: subprocess.Popen, run_dir: Path, timeout: float = 60.0) -> Path:
    """Once a ``checkpoint.pt`` under ``run_dir`` has been rewritten at least once (training is past it), its path."""
    deadline = time.monotonic() + timeout
    seen: dict[Path, tuple[int, int]] = {}
    while time.monotonic() < deadline and process.poll() is None:
        for checkpoint in run_dir.glob("**/checkpoint.pt"):
            try:
                info = checkpoint.stat()
            except FileNotFoundError:  # a finished window drops its checkpoint
                continue
            stamp = (info.st_ino, info.st_mtime_ns)  # each save renames a new file into place: a new inode
            if seen.setdefault(checkpoint, stamp) != stamp:
                return checkpoint
        time.sleep(0.01)
    raise AssertionError(f"no checkpoint progress in {run_dir} (exit status {process.poll()})")


# whole clip: one network over the 12 frames; two windows: frames 0..5 and 4..11, killed while training the second
KILL_CASES = {"whole clip": ([], 60, "window_00000"), "two windows": (["--window", "6", "--overlap", "2"], 30, "window_00001")}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(KILL_CASES))
def test_a_run_killed_with_sigkill_resumes_to_the_uninterrupted_result(tiny_dir, tmp_path, case):
    flags, steps, killed_in = KILL_CASES[case]
    reference, interrupted = tmp_path / "reference", tmp_path / "interrupted"
    run_dir = run_dir_for(interrupted)
    # the uninterrupted run checkpoints at the default interval: the checkpoint rhythm must not change the result
    uninterrupted = subprocess.Popen(inpaint_command(tiny_dir, reference, steps, *flags), env=ENV, stderr=subprocess.PIPE, text=True)
    command = inpaint_command(tiny_dir, interrupted, steps, *flags, "--checkpoint-seconds", "0")
    killed = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, text=True)
    try:
        checkpoint = wait_for_training(killed, run_dir / killed_in)
        os.kill(killed.pid, signal.SIGKILL)
    finally:
        killed.kill()
        killed.wait()
        killed.stderr.close()
    assert killed.returncode == -signal.SIGKILL
    step = torch.load(checkpoint, weights_only=True)["step"]
    assert 0 < step < steps - 1, f"killed at step {step}: not mid-way"
    assert not interrupted.exists() and not record_path_for(interrupted).exists()
    if case == "two windows":  # the first window's frames were being written: the killed writer left its temporary
        assert [p for p in tmp_path.iterdir() if p.name.startswith(".interrupted.") and ".partial" in p.name]

    resumed = subprocess.run([*command, "--resume"], env=ENV, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert uninterrupted.wait(timeout=120) == 0, uninterrupted.stderr.read()
    uninterrupted.stderr.close()

    names = {"reference", "reference.config.json", "interrupted", "interrupted.config.json"}
    assert {p.name for p in tmp_path.iterdir()} == names  # no run folder, no temporary left by the killed writer
    assert sorted(p.name for p in interrupted.iterdir()) == sorted(p.name for p in reference.iterdir())
    assert len(list(reference.iterdir())) == 12
    np.testing.assert_array_equal(read_frames(interrupted), read_frames(reference))
    records = [json.loads(record_path_for(path).read_text()) for path in (interrupted, reference)]
    for record in records:  # the runs differ only in their output path and checkpoint rhythm
        record.pop("output"), record["config"].pop("checkpoint_seconds")
    assert records[0] == records[1]


# --- bad inputs --------------------------------------------------------------------------------------------------


def _truncated_video(tiny_dir: Path, root: Path) -> Path:
    clip = write_frames(root / "clip.mp4", read_frames(tiny_dir / "frames"), 25)
    clip.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    return clip


def _text_file(path: Path) -> Path:
    path.write_text("this is not a video\n")
    return path


def _folder(path: Path, files: dict[str, bytes] | None = None) -> Path:
    path.mkdir()
    for name, data in (files or {}).items():
        (path / name).write_bytes(data)
    return path


# Each bad input: (tiny case folder, scratch folder) -> (input, masks, words the error line must contain)


def missing_input(d: Path, r: Path):
    return r / "missing.mp4", d / "masks", ["missing.mp4", "does not exist"]


def text_file_named_mp4(d: Path, r: Path):
    return _text_file(r / "x.mp4"), d / "masks", ["x.mp4", "not a video"]


def truncated_video(d: Path, r: Path):
    return _truncated_video(d, r), d / "masks", ["clip.mp4", "truncated"]


def zero_frames(d: Path, r: Path):
    return _folder(r / "empty", {"notes.txt": b"no frames here"}), d / "masks", ["empty", "no images"]


def frames_of_different_sizes(d: Path, r: Path):
    frames, _ = copy_case(d, r)
    cv2.imwrite(str(frames / "00005.png"), cv2.resize(cv2.imread(str(frames / "00005.png")), (95, 48)))
    return frames, d / "masks", ["00005.png", "95x48", "same size"]


def fewer_masks_than_frames(d: Path, r: Path):
    _, masks = copy_case(d, r)
    (masks / "00011.png").unlink()
    return d / "frames", masks, ["11 masks", "12 frames", str(masks)]


def masks_of_an_unreadable_type(d: Path, r: Path):
    return d / "frames", _text_file(r / "masks.txt"), ["masks.txt", "masks must be"]


def mask_folder_without_images(d: Path, r: Path):
    return d / "frames", _folder(r / "gifs", {"00000.gif": b"GIF89a"}), ["gifs", "no images"]


def corrupt_mask_image(d: Path, r: Path):
    _, masks = copy_case(d, r)
    _text_file(masks / "00003.png")
    return d / "frames", masks, ["00003.png", "not an image"]


BAD_INPUTS = [
    missing_input,
    text_file_named_mp4,
    truncated_video,
    zero_frames,
    frames_of_different_sizes,
    fewer_masks_than_frames,
    masks_of_an_unreadable_type,
    mask_folder_without_images,
    corrupt_mask_image,
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda case: case.__name__)
def test_a_bad_input_is_one_line_exit_2_and_writes_nothing(tiny_dir, tmp_path, capsys, case):
    source, out_dir = _folder(tmp_path / "in"), _folder(tmp_path / "out")
    video, masks, words = case(tiny_dir, source)
    before = snapshot(tmp_path)
    code, _, err = run_main(capsys, "inpaint", video, masks, "-o", out_dir / "result", *FAST)
    assert code == 2
    assert_one_line_error(err, *words)
    assert snapshot(tmp_path) == before


def test_a_bad_frame_found_after_training_began_leaves_nothing_either(tiny_dir, tmp_path, capsys):
    """Windows 0..4 and 5..11: the first is trained (and its frames written) before frame 9 turns out to be bad."""
    source, out_dir = _folder(tmp_path / "in"), _folder(tmp_path / "out")
    frames, _ = copy_case(tiny_dir, source)
    odd = frames / "00009.png"
    cv2.imwrite(str(odd), cv2.imread(str(odd))[:40])
    before = snapshot(tmp_path)
    code, _, err = run_main(capsys, "inpaint", frames, tiny_dir / "masks", "-o", out_dir / "result", *FAST, "--window", "5", "--overlap", "0", "--max-steps", "2")
    assert code == 2
    assert_one_line_error(err, "00009.png", "same size")
    assert snapshot(tmp_path) == before


def test_a_failed_resume_keeps_the_run_folder_it_found(tiny_dir, tmp_path, capsys):
    output = tmp_path / "result"
    run_dir = run_dir_for(output)
    (run_dir / "window_00000").mkdir(parents=True)
    (run_dir / "window_00000" / "window.json").write_text('{"start": 0, "end": 12, "config": {"seed": 123}}')
    before = snapshot(tmp_path)
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", output, *FAST, "--resume")
    assert code == 2
    assert_one_line_error(err, "window_00000", "other frames or settings", "without --resume")
    assert snapshot(tmp_path) == before


def test_unsupported_pixel_types_are_a_one_line_error(tiny_dir, tmp_path, capsys):
    frames, masks = copy_case(tiny_dir, tmp_path)
    (masks / "00004.png").unlink()
    assert cv2.imwrite(str(masks / "00004.tif"), np.zeros((48, 96), np.int16))
    code, _, err = run_main(capsys, "inpaint", frames, masks, "-o", tmp_path / "result", *FAST)
    assert code == 2
    assert_one_line_error(err, "00004.tif", "int16")
    assert not (tmp_path / "result").exists() and not run_dir_for(tmp_path / "result").exists()


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--preset", "fancy"], ["unknown preset", "fancy"]),
        (["--method", "magic"], ["unknown --method", "magic"]),
        (["--device", "quantum"], ["unknown device", "quantum"]),
        (["--steps-per-batch", "0"], ["steps_per_batch"]),
        (["--unseen-filler", "smear"], ["unknown --unseen-filler", "smear"]),
        (["--spatial-fill", "smear"], ["unknown spatial fill", "smear", "'thin plate'"]),
    ],
)
def test_bad_settings_are_refused_before_anything_is_written(tiny_dir, tmp_path, capsys, flags, words):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "result", "--quiet", *flags)
    assert code == 2
    assert_one_line_error(err, *words)
    assert list(tmp_path.iterdir()) == []


def test_a_spatial_fill_name_split_by_the_shell_is_told_to_be_quoted(tiny_dir, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:  # argparse's own refusal, one line
        cli.main(["inpaint", str(tiny_dir / "frames"), str(tiny_dir / "masks"), "-o", str(tmp_path / "result"),
                  "--spatial-fill", "thin", "plate"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and len(err.strip().splitlines()) == 1
    assert 'quote a name with a space: --spatial-fill "thin plate"' in err and list(tmp_path.iterdir()) == []


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present, so --device cuda is valid")
def test_device_cuda_without_a_gpu_is_refused(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "result", *FAST, "--device", "cuda")
    assert code == 2
    assert_one_line_error(err, "cuda", "no CUDA device")
    assert list(tmp_path.iterdir()) == []


def test_a_bad_input_leaves_no_output_folder_behind(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tmp_path / "missing.mp4", tiny_dir / "masks", "-o", tmp_path / "new" / "r", *FAST)
    assert code == 2 and "missing.mp4" in err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_folder_is_made(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "new" / "result", *FAST)
    assert code == 0, err
    assert len(list((tmp_path / "new" / "result").iterdir())) == 12


def test_output_in_a_read_only_folder_is_refused(tiny_dir, tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes through any permission bits: make the check see a read-only folder instead
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == locked.absolute() else real_access(p, mode, **kw))
    locked.chmod(0o555)
    try:
        code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", locked / "result", *FAST)
    finally:
        locked.chmod(0o755)
    assert code == 2
    assert_one_line_error(err, "locked", "not writable")
    assert list(locked.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["locked"]


@pytest.mark.parametrize(
    "name, words",
    [(name, [name, "cannot write", ".mp4, .mkv or .mov"]) for name in ("result.png", "result.avi", "result.gif", "out.txt")],
)
def test_an_output_format_that_cannot_be_written_is_refused_before_training(tiny_dir, tmp_path, capsys, name, words):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / name, *FAST)
    assert code == 2
    assert_one_line_error(err, *words)
    assert list(tmp_path.iterdir()) == []


def test_a_crf_out_of_range_is_refused_before_training(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "r.mp4", *FAST, "--crf", "99")
    assert code == 2
    assert_one_line_error(err, "crf", "99")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_an_existing_output_is_refused_without_overwrite_and_left_untouched(tiny_dir, tmp_path, capsys, kind):
    output = tmp_path / ("result" if kind == "folder" else "result.mp4")
    if kind == "folder":
        output.mkdir()
        (output / "00000.png").write_bytes(b"old frame")
    else:
        output.write_bytes(b"old video")
    before = snapshot(tmp_path)
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", output, *FAST)
    assert code == 2
    assert_one_line_error(err, output.name, "already exists", "--overwrite")
    assert snapshot(tmp_path) == before


def test_a_run_record_without_its_output_is_refused_without_overwrite_and_left_untouched(tiny_dir, tmp_path, capsys):
    output = tmp_path / "result.mp4"
    (tmp_path / "result.mp4.config.json").write_text('{"config": {"seed": 3}}')  # a user's saved settings
    before = snapshot(tmp_path)
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", output, *FAST)
    assert code == 2
    assert_one_line_error(err, "result.mp4.config.json", "record", "--overwrite")
    assert snapshot(tmp_path) == before
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", output, *FAST, "--resume")
    assert code == 2 and snapshot(tmp_path) == before  # nothing to resume: refused all the same


def test_empty_masks_copy_the_input_through_with_a_notice(tiny_dir, tmp_path, capsys):
    masks = tmp_path / "masks"
    masks.mkdir()
    for i in range(12):
        cv2.imwrite(str(masks / f"{i:05d}.png"), np.zeros((48, 96), np.uint8))
    output = tmp_path / "result"
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", masks, "-o", output, "--preset", "test")
    assert code == 0, err
    assert "note:" in err and "masks are empty" in err and "Traceback" not in err
    assert err.count("masks are empty") == 1 and "inpainted" not in err and "nothing to fill" in err
    assert "UserWarning" not in err and ".py:" not in err  # a note, not a Python warning with a source line
    np.testing.assert_array_equal(read_frames(output), read_frames(tiny_dir / "frames"))
    assert record_path_for(output).is_file() and not run_dir_for(output).exists()


@pytest.mark.slow
def test_a_bad_input_in_a_real_process_prints_one_line_and_no_traceback(tiny_dir, tmp_path):
    clip = _truncated_video(tiny_dir, tmp_path)
    before = snapshot(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "videofill.cli", "inpaint", str(clip), str(tiny_dir / "masks"), "-o", str(tmp_path / "result"), *FAST],
        env={**ENV, "PYTHONWARNINGS": ""}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert_one_line_error(done.stderr, "clip.mp4", "truncated")
    assert done.stdout == ""
    assert snapshot(tmp_path) == before


# --- what a new user tripped over (issue 12) ---------------------------------------------------------------------


def test_zero_one_masks_are_holes_end_to_end(tiny_dir, tmp_path, capsys):
    masks = tmp_path / "masks01"
    masks.mkdir()
    for path in sorted((tiny_dir / "masks").glob("*.png")):
        cv2.imwrite(str(masks / path.name), (cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 0).astype(np.uint8))
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", masks, "-o", tmp_path / "b", "--quiet")
    assert code == 0, err
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "c", "--quiet")
    np.testing.assert_array_equal(read_frames(tmp_path / "b"), read_frames(tmp_path / "c"))
    assert not np.array_equal(read_frames(tmp_path / "b"), read_frames(tiny_dir / "frames"))


def test_masks_of_another_aspect_ratio_stop_with_one_line(tiny_dir, tmp_path, capsys):
    cv2.imwrite(str(tmp_path / "square.png"), np.full((48, 48), 255, np.uint8))
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tmp_path / "square.png", "-o", tmp_path / "r", *FAST)
    assert code == 2
    assert_one_line_error(err, "48x48", "96x48", "aspect ratio")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("which", ["input", "masks"])
def test_an_output_that_is_an_input_is_refused_even_with_overwrite(tiny_dir, tmp_path, capsys, which):
    frames, masks = copy_case(tiny_dir, tmp_path)
    before = snapshot(tmp_path)
    target = frames if which == "input" else masks
    code, _, err = run_main(capsys, "inpaint", frames, masks, "-o", target, *FAST, "--overwrite")
    assert code == 2
    assert_one_line_error(err, "also an input")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("flags, words", [(["--dilate", "-3"], ["--dilate", "-3"]), (["--feather", "-1"], ["--feather"]),
                                          (["--unseen-steps", "-1"], ["--unseen-steps"]),
                                          (["--unseen-runs", "0"], ["--unseen-runs"])])
def test_negative_pixel_settings_are_one_line_errors(tiny_dir, tmp_path, capsys, flags, words):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "r", *FAST, *flags)
    assert code == 2
    assert_one_line_error(err, *words)
    assert list(tmp_path.iterdir()) == []


def test_the_python_api_refuses_a_list_with_one_line(tiny_case):
    import videofill
    from videofill.errors import VideofillError

    frames, holes = tiny_case
    with pytest.raises(VideofillError, match="numpy array, got list"):
        videofill.inpaint(list(frames), holes)


def test_the_default_preset_shows_progress(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "r")
    assert code == 0, err
    assert "propagation" in err and "frames" in err and "wrote" in err


def test_quiet_silences_notes(tiny_dir, tmp_path, capsys):
    cv2.imwrite(str(tmp_path / "half.png"), np.full((24, 48), 255, np.uint8))  # same aspect, other size: a note
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tmp_path / "half.png", "-o", tmp_path / "a")
    assert code == 0 and err.count("note: masks in") == 1, err
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tmp_path / "half.png", "-o", tmp_path / "b", "--quiet")
    assert code == 0 and err == "", err


def test_the_run_record_says_what_ran_and_reruns_with_config(tiny_dir, tmp_path, capsys):
    first = tmp_path / "first"
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", first, "--quiet", "--dilate", "2")
    assert code == 0, err
    record = json.loads(record_path_for(first).read_text())
    assert record["fill"].startswith("flow-guided propagation") and "method" not in record["config"]
    assert "copies combined: median" in record["fill"] and record["config"]["combine"] == "median"  # auto, resolved
    assert record["input"] == str(tiny_dir / "frames") and record["masks"] == str(tiny_dir / "masks")
    assert record["videofill"] and record["config"]["dilate"] == 2 and record["config"]["crf"] == 18
    chosen = [note for note in record["notes"] if note.startswith("spatial fill: ")]  # what auto chose, recorded
    assert len(chosen) == 1 and record["config"]["spatial_fill"] == "auto", record["notes"]
    code, _, err = run_main(capsys, "inpaint", "--config", record_path_for(first), "-o", tmp_path / "again", "--quiet")
    assert code == 0, err
    np.testing.assert_array_equal(read_frames(tmp_path / "again"), read_frames(first))
    assert json.loads(record_path_for(tmp_path / "again").read_text())["config"] == record["config"]


def test_odd_sizes_in_h264_are_padded_with_a_note_and_folder_fps_is_stated(tmp_path, capsys):
    frames = tmp_path / "frames"
    clip = np.random.default_rng(0).integers(0, 255, (6, 33, 47, 3), dtype=np.uint8)
    write_frames(frames, clip, 24)
    hole = np.zeros((33, 47), np.uint8)
    hole[10:20, 10:20] = 255
    cv2.imwrite(str(tmp_path / "mask.png"), hole)
    code, _, err = run_main(capsys, "inpaint", frames, tmp_path / "mask.png", "-o", tmp_path / "out.mp4")
    assert code == 0, err
    assert "25 fps assumed" in err and "padded" in err, err


def test_help_and_argument_errors_do_not_import_torch():
    code = (
        "import sys\n"
        "from videofill import cli\n"
        "try:\n"
        "    cli.main(['inpaint', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "try:\n"
        "    cli.main(['inpaint', '--dilate', 'x'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr


@pytest.mark.slow
def test_sigterm_during_training_saves_a_checkpoint_to_resume_from(tiny_dir, tmp_path):
    output = tmp_path / "result"
    command = [c for c in inpaint_command(tiny_dir, output, 100000, "--checkpoint-seconds", "100000") if c != "--quiet"]
    process = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE)
    checkpoint = run_dir_for(output) / "window_00000" / "checkpoint.pt"
    seen = bytearray()
    try:
        deadline = time.monotonic() + 120
        while max(map(int, re.findall(rb"(\d+)/4000", seen)), default=0) < 2:  # the training bar counted 2 steps
            assert time.monotonic() < deadline and process.poll() is None, seen.decode(errors="replace")
            seen += os.read(process.stderr.fileno(), 4096)
        assert not checkpoint.exists()  # the periodic checkpoint is 100000 s away
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=120)
    finally:
        process.kill()
    err = (seen + (rest or b"")).decode(errors="replace")
    assert process.returncode == 130 and "--resume" in err, err
    assert checkpoint.exists()
    state = torch.load(checkpoint, weights_only=False)
    assert state["step"] > 0


def test_combine_one_reaches_the_run_and_its_record(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "one", "--quiet",
                            "--combine", "one")
    assert code == 0, err
    assert json.loads(record_path_for(tmp_path / "one").read_text())["config"]["combine"] == "one"


def test_unseen_filler_reaches_the_run_and_its_record(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "p", "--quiet",
                            "--quality", "best", "--unseen-filler", "patches", "--unseen-steps", "0")
    assert code == 0, err
    assert json.loads(record_path_for(tmp_path / "p").read_text())["config"]["unseen_filler"] == "patches"


def test_a_missing_config_file_says_so(tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", "--config", tmp_path / "nope.json")
    assert code == 2
    assert_one_line_error(err, "nope.json", "no such file")
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run_main(capsys, "inpaint", "--config", tmp_path / "bad.json")
    assert code == 2
    assert_one_line_error(err, "bad.json", "not JSON")


def test_notes_are_prefixed_and_a_frame_folder_written_as_frames_needs_no_frame_rate(tiny_dir, tmp_path, capsys):
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "frames")
    assert code == 0 and "fps assumed" not in err, err
    code, _, err = run_main(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "-o", tmp_path / "r.mp4")
    notes = [line for line in err.splitlines() if "fps assumed" in line]
    assert code == 0 and len(notes) == 1 and notes[0].startswith("videofill: note: "), err
