"""--save-progress: the frames and flows written during training (paper Fig. 8), and the loss files."""

import csv

import cv2
import numpy as np
import pytest

from videofill.cli import main
from videofill.config import get_preset
from videofill.errors import VideofillError
from videofill.fill.progress import ProgressSaver, spread_frames
from videofill.pipeline import inpaint_video


def _read(path):
    return cv2.imread(str(path))[..., ::-1]


def test_spread_frames():
    assert spread_frames(12) == [3, 6, 8]
    assert spread_frames(30) == [7, 14, 22]
    assert spread_frames(2) == [0, 1]
    assert spread_frames(0) == []


def test_bad_every(tmp_path):
    with pytest.raises(VideofillError):
        ProgressSaver(tmp_path, every=0)


@pytest.mark.parametrize("method", ["dip-vid-flow", "dip-vid-3dcn"])
def test_progress_files(tiny_case, tmp_path, method):
    frames, holes = tiny_case
    config = get_preset("test").replace(method=method)  # 12 steps
    saver = ProgressSaver(tmp_path, every=5, batch_frames=config.batch_frames, size=(96, 48))
    calls = []

    def hook(step, model, video):
        calls.append(step)
        saver(step, model, video)

    result = inpaint_video(frames, holes, config, on_step=hook)
    saver.finish(result)
    assert calls == list(range(12))
    shown = spread_frames(len(frames))
    for done in (1, 5, 10):  # after the first step, then every 5
        for i in shown:
            image = _read(tmp_path / f"step_{done:06d}_frame_{i:05d}.png")
            assert image.shape == (48, 96, 3)  # the working size
            assert image.std() > 1.0  # not blank
            flow = tmp_path / f"step_{done:06d}_frame_{i:05d}_flow.png"
            assert flow.exists() == (method == "dip-vid-flow")
    assert not list(tmp_path.glob("step_000012_*"))
    for i in shown:
        assert _read(tmp_path / f"input_frame_{i:05d}.png").shape == (48, 96, 3)
        # The final frame is the network output the pipeline returns.
        assert np.array_equal(_read(tmp_path / f"final_frame_{i:05d}.png"), result.generated[i])
    if method == "dip-vid-flow":
        colour = _read(tmp_path / f"step_000010_frame_{shown[0]:05d}_flow.png")
        assert colour.shape == (48, 96, 3) and colour.max() > 0
    rows = list(csv.reader((tmp_path / "loss.csv").open()))
    assert rows[0][:2] == ["step", "total"] and len(rows) == 1 + 12
    assert float(rows[-1][1]) == pytest.approx(result.fit.history["total"][-1], rel=1e-5)
    assert _read(tmp_path / "loss.png").std() > 1.0


def test_saved_frame_matches_inference(tiny_case, tmp_path):
    """The last saved step's frame is what inference makes from the final network (same window, same mode)."""
    frames, holes = tiny_case
    config = get_preset("test").replace(method="dip-vid", max_steps=8)
    saver = ProgressSaver(tmp_path, every=8, batch_frames=config.batch_frames)
    result = inpaint_video(frames, holes, config, on_step=saver)
    for i in spread_frames(len(frames)):
        saved = _read(tmp_path / f"step_000008_frame_{i:05d}.png")
        assert np.abs(saved.astype(int) - result.generated[i].astype(int)).max() <= 1


def test_cli_save_progress(tiny_dir, tmp_path):
    out = tmp_path / "out"
    code = main([
        "inpaint", str(tiny_dir / "frames"), str(tiny_dir / "masks"), "-o", str(out), "--preset", "test",
        "--save-progress", str(tmp_path / "progress"), "--progress-every", "6", "--quiet",
    ])  # fmt: skip
    assert code == 0
    names = {p.name for p in (tmp_path / "progress").iterdir()}
    assert {"loss.png", "loss.csv", "step_000006_frame_00003.png", "step_000006_frame_00003_flow.png"} <= names
    assert "step_000012_frame_00008.png" in names
