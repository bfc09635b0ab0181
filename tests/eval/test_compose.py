"""Tests of videofill.eval.compose: a composed case has the right frames, masks, sizes and manifest."""

import json
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import DATA

from videofill.errors import VideofillError
from videofill.eval.compose import compose_case

KITE_MASKS = DATA / "composed_kite-surf_x_tennis" / "masks"


def _read_dir(folder: Path, grey: bool = False) -> np.ndarray:
    files = sorted(folder.glob("*.png"))
    if grey:
        return np.stack([cv2.imread(str(f), cv2.IMREAD_UNCHANGED) for f in files])
    return np.stack([cv2.imread(str(f))[..., ::-1] for f in files])


@pytest.fixture
def kite_masks() -> Path:
    if not KITE_MASKS.is_dir():
        pytest.skip(f"shared test data not found at {KITE_MASKS}")
    return KITE_MASKS


def test_compose_tiny_background_with_other_case_masks(tiny_dir, kite_masks, tmp_path):
    out = compose_case(tiny_dir / "frames", kite_masks, tmp_path / "case")
    frames = _read_dir(out / "frames")
    masks = _read_dir(out / "masks", grey=True)
    # 12 background frames, 30 masks -> 12; background size 96x48
    assert frames.shape == (12, 48, 96, 3) and masks.shape == (12, 48, 96)
    assert sorted(p.name for p in (out / "frames").iterdir()) == [f"{t:05d}.png" for t in range(12)]
    assert sorted(p.name for p in (out / "masks").iterdir()) == [f"{t:05d}.png" for t in range(12)]
    assert np.array_equal(frames, _read_dir(tiny_dir / "frames"))  # the ground truth, bit-exact
    assert masks.dtype == np.uint8 and set(np.unique(masks)) <= {0, 255}
    # the masks are the first 12 kite-surf masks, nearest-neighbour resized from 320x176
    source = _read_dir(kite_masks, grey=True)[:12]
    expected = np.stack([cv2.resize(m, (96, 48), interpolation=cv2.INTER_NEAREST_EXACT) for m in source]) > 127
    assert np.mean((masks == 255) != expected) < 0.01
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["frame_count"] == 12 and (manifest["width"], manifest["height"]) == (96, 48)
    assert manifest["fps"] is None  # a frame folder has no frame rate
    assert manifest["masks_source"]["frame_count"] == 30
    fractions = (masks == 255).reshape(12, -1).mean(axis=1)
    assert manifest["hole_fraction"]["mean"] == pytest.approx(fractions.mean(), abs=1e-4)
    assert manifest["hole_fraction"]["min"] == pytest.approx(fractions.min(), abs=1e-4)
    assert manifest["hole_fraction"]["max"] == pytest.approx(fractions.max(), abs=1e-4)
    assert 0.05 < manifest["hole_fraction"]["mean"] < 0.15  # kite-surf's tennis mask covers ~10 %


def test_compose_frame_count_and_size(tiny_dir, kite_masks, tmp_path):
    out = compose_case(tiny_dir / "frames", kite_masks, tmp_path / "case", frame_count=5, size=(48, 24))
    frames = _read_dir(out / "frames")
    masks = _read_dir(out / "masks", grey=True)
    assert frames.shape == (5, 24, 48, 3) and masks.shape == (5, 24, 48)
    source = _read_dir(tiny_dir / "frames")[:5]
    expected = np.stack([cv2.resize(f, (48, 24), interpolation=cv2.INTER_AREA) for f in source])
    assert np.array_equal(frames, expected)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["frame_count"], manifest["width"], manifest["height"]) == (5, 48, 24)
    assert manifest["frames_source"]["size"] == [96, 48]


def test_compose_refuses_to_overwrite_and_checks_counts(tiny_dir, kite_masks, tmp_path):
    out = compose_case(tiny_dir / "frames", kite_masks, tmp_path / "case", frame_count=3)
    with pytest.raises(VideofillError, match="already exists"):
        compose_case(tiny_dir / "frames", kite_masks, out, frame_count=4)
    compose_case(tiny_dir / "frames", kite_masks, out, frame_count=4, overwrite=True)
    assert len(list((out / "frames").iterdir())) == 4 and len(list((out / "masks").iterdir())) == 4
    with pytest.raises(VideofillError, match="13 frames asked for"):
        compose_case(tiny_dir / "frames", kite_masks, tmp_path / "other", frame_count=13)
    with pytest.raises(VideofillError, match="not found"):
        compose_case(tmp_path / "missing", kite_masks, tmp_path / "other")
    with pytest.raises(VideofillError, match="size"):
        compose_case(tiny_dir / "frames", kite_masks, tmp_path / "other", size=(0, 10))


def test_compose_single_mask_image_and_empty_mask_warning(tiny_dir, tmp_path):
    mask = np.zeros((10, 20), np.uint8)
    mask[2:6, 5:10] = 255
    cv2.imwrite(str(tmp_path / "mask.png"), mask)
    out = compose_case(tiny_dir / "frames", tmp_path / "mask.png", tmp_path / "case")
    masks = _read_dir(out / "masks", grey=True)
    assert masks.shape == (12, 48, 96) and (masks == masks[0]).all()  # one image for every frame
    assert json.loads((out / "manifest.json").read_text())["hole_fraction"]["mean"] == pytest.approx(0.1, abs=0.01)
    cv2.imwrite(str(tmp_path / "empty.png"), np.zeros((10, 20), np.uint8))
    with pytest.warns(UserWarning, match="empty"):
        out = compose_case(tiny_dir / "frames", tmp_path / "empty.png", tmp_path / "empty_case", frame_count=2)
    assert json.loads((out / "manifest.json").read_text())["empty_mask_frames"] == [0, 1]


def test_compose_video_background_keeps_fps_as_fraction(tiny_case, kite_masks, tmp_path):
    from videofill.io.writer import write_frames

    frames, _ = tiny_case
    video = write_frames(tmp_path / "bg.mp4", frames[:6], Fraction(30000, 1001), lossless=True)
    out = compose_case(video, kite_masks, tmp_path / "case")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fps"] == "30000/1001"
    assert manifest["frame_count"] == 6
    assert np.array_equal(_read_dir(out / "frames"), frames[:6])  # lossless video: bit-exact
