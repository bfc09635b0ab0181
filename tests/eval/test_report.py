"""Tests of videofill.eval.report: the whole report against values computed independently."""

import json
import math
import warnings

import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.eval.metrics import PSNR_CAP_DB, complexity, hole_sharpness_ratio
from videofill.eval.report import evaluate, format_table
from videofill.fill.propagate import telea_fill


def test_evaluate_identical_result(tiny_case, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no Inception weights there
    frames, holes = tiny_case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the patch is shrunk to the 48 px frame height
        report = evaluate(frames, frames.copy(), holes)
    assert report["psnr"] == PSNR_CAP_DB
    assert report["psnr_hole"] == PSNR_CAP_DB
    assert report["ssim"] == pytest.approx(1.0)
    assert report["ssim_hole"] == pytest.approx(1.0)
    assert report["hole_sharpness_ratio"] == pytest.approx(1.0)
    assert report["fid"] is None and "no InceptionV3 weights" in report["fid_note"]
    assert report["complexity"] == pytest.approx(complexity(frames))
    assert len(report["frames"]) == len(frames)
    json.dumps(report, allow_nan=False)  # JSON-safe: no inf / nan
    table = format_table(report)
    assert "100.00 dB" in table and "n/a" in table


def test_evaluate_against_independent_values(tiny_case):
    frames, holes = tiny_case
    filled = telea_fill(frames, holes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate(filled, frames, holes, inception=False)
    diff = (filled.astype(float) - frames.astype(float)) ** 2
    per_frame = [10 * math.log10(255**2 / diff[t].mean()) for t in range(len(frames))]
    assert report["psnr"] == pytest.approx(np.mean(per_frame))
    assert report["psnr_hole"] == pytest.approx(10 * math.log10(255**2 / diff[holes].mean()))
    assert report["psnr_hole"] < report["psnr"]  # errors only in the hole
    assert 0 < report["ssim_hole"] < report["ssim"] < 1
    assert report["hole_sharpness_ratio"] == pytest.approx(hole_sharpness_ratio(filled, frames, holes))
    assert 0 < report["hole_sharpness_ratio"] < 1  # Telea is smooth
    assert report["frames"][0]["psnr"] == pytest.approx(per_frame[0])
    assert report["fid"] is None and report["fid_note"] == "FID not requested"


def test_evaluate_passes_frames_and_model_to_fid(tiny_case, monkeypatch):

    frames, holes = tiny_case
    seen = {}

    class FakeModel:
        variant = "fid"

    def fake_fid(result, reference, model):
        seen.update(result=result, reference=reference, model=model)
        return 12.5

    from videofill.eval import inception as inception_net

    monkeypatch.setattr(inception_net, "fid", fake_fid)
    model = FakeModel()
    filled = telea_fill(frames, holes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate(filled, frames, holes, inception=model)
    assert report["fid"] == 12.5 and "fid" in report["fid_note"]
    assert seen["model"] is model and seen["result"] is filled and seen["reference"] is frames


def test_evaluate_validates_shapes(tiny_case):
    frames, holes = tiny_case
    with pytest.raises(VideofillError, match="result has 11 frames but ground truth has 12"):
        evaluate(frames[:11], frames, holes, inception=False)
    with pytest.raises(VideofillError, match="holes have 11 frames"):
        evaluate(frames, frames, holes[:11], inception=False)
    with pytest.raises(VideofillError, match="uint8"):
        evaluate(frames.astype(np.float32), frames, holes, inception=False)
    with pytest.raises(VideofillError, match="bool"):
        evaluate(frames, frames, holes.astype(np.uint8), inception=False)
    with pytest.raises(VideofillError, match="px but ground truth"):
        evaluate(frames[:, :40], frames, holes, inception=False)
