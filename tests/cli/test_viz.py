"""``videofill viz`` (videofill.cli.viz): a bad combination of inputs is a one-line error that writes nothing."""

from videofill.cli import main
from videofill.io.video import read_frames
from videofill.io.writer import write_frames


def test_viz_side_by_side_of_different_lengths_is_one_line(tiny_dir, tmp_path, capsys):
    short = tmp_path / "short"
    write_frames(short, read_frames(tiny_dir / "frames")[:5], 24)
    code = main(["viz", "side-by-side", str(tiny_dir / "frames"), str(short), "-o", str(tmp_path / "sbs.mp4")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("videofill: error: ") and "Traceback" not in err[0], err
    assert all(word in err[0] for word in ("one length", "12 frames", "5 frames")), err
    assert not (tmp_path / "sbs.mp4").exists()
