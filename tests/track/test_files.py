"""Tests of videofill.track.files and the `track`, `inpaint --box` and `eval-masks` commands."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from videofill import cli
from videofill.io.masks import read_masks
from videofill.io.video import read_frames


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "marks, words",
    [
        (["--box", "20=0,0,10,10"], ["frame 20", "0..11"]),
        (["--box", "0=10,10,10,30"], ["box"]),
        (["--box", "0=50,10,500,30"], ["box"]),
        (["--box", "0=1,2,3"], ["X0,Y0,X1,Y1"]),
        (["--points", "0=1,2,3"], ["X,Y pairs"]),
        (["--box", "0=1,1,20,20", "--points", "0=5,5"], ["frame 0"]),
        (["--key", "0=WRONG_SIZE"], ["48x48", "96x48"]),
        (["--key", "0=EMPTY"], ["empty", "frame 0"]),
    ],
)
def test_bad_marks_are_one_line_exit_2_and_write_nothing(tiny_dir, tmp_path, capsys, marks, words):
    cv2.imwrite(str(tmp_path / "wrong.png"), np.full((48, 48), 255, np.uint8))
    cv2.imwrite(str(tmp_path / "empty.png"), np.zeros((48, 96), np.uint8))
    marks = [m.replace("WRONG_SIZE", str(tmp_path / "wrong.png")).replace("EMPTY", str(tmp_path / "empty.png")) for m in marks]
    out = tmp_path / "out"
    out.mkdir()
    for command in (["track", tiny_dir / "frames", "-o", out / "masks"], ["inpaint", tiny_dir / "frames", "-o", out / "r"]):
        code, err = run(capsys, *command, *marks, "--quiet")
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("videofill: error:"), err
        assert all(w.lower() in lines[0].lower() for w in words), lines[0]
        assert list(out.iterdir()) == []


def test_masks_and_marks_together_are_refused(tiny_dir, tmp_path, capsys):
    code, err = run(capsys, "inpaint", tiny_dir / "frames", tiny_dir / "masks", "--box", "0=1,1,20,20", "-o", tmp_path / "r")
    assert code == 2 and "not both" in err


def test_eval_masks_of_the_truth_is_perfect(tiny_dir, capsys):
    code = cli.main(["eval-masks", str(tiny_dir / "masks"), str(tiny_dir / "masks")])
    out = capsys.readouterr().out
    assert code == 0 and "1.0000" in out and "10 of 12" in out


@pytest.mark.slow
def test_track_command_end_to_end_with_a_key_and_a_preview(tiny_dir, tmp_path, capsys):
    truth = read_masks(tiny_dir / "masks", 12, (96, 48))
    code, err = run(capsys, "track", tiny_dir / "frames", "-o", tmp_path / "masks", "--key", f"0={tiny_dir / 'masks' / '00000.png'}",
                    "--preview", tmp_path / "preview.mp4", "--quiet")
    assert code == 0, err
    tracked = read_masks(tmp_path / "masks", 12, (96, 48))
    np.testing.assert_array_equal(tracked[0], truth[0])  # the key frame keeps its mask
    assert len(read_frames(tmp_path / "preview.mp4")) == 12


@pytest.mark.slow
def test_inpaint_from_a_box_end_to_end(tiny_dir, tmp_path, capsys):
    ys, xs = np.nonzero(read_masks(tiny_dir / "masks", 12, (96, 48))[0])
    box = f"0={xs.min()},{ys.min()},{xs.max() + 1},{ys.max() + 1}"
    code, err = run(capsys, "inpaint", tiny_dir / "frames", "--box", box, "-o", tmp_path / "r", "--quiet")
    assert code == 0, err
    result, frames = read_frames(tmp_path / "r"), read_frames(tiny_dir / "frames")
    assert result.shape == frames.shape and not np.array_equal(result, frames)
    assert not (tmp_path / "r.checkpoint").exists()
