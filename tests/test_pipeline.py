import cv2
import numpy as np
import pytest

from videofill.config import METHODS, get_preset
from videofill.errors import VideofillError
from videofill.fill.prepare import (
    PreparedVideo,
    hole_region,
    padded_size,
    prepare,
    working_size,
)
from videofill.pipeline import inpaint, inpaint_video


@pytest.mark.parametrize("method", METHODS)
def test_each_method_end_to_end_on_the_tiny_case(tiny_case, method):
    frames, holes = tiny_case
    out = inpaint(frames, holes, get_preset("test").replace(method=method))
    assert out.shape == frames.shape and out.dtype == np.uint8
    assert np.array_equal(out[~holes], frames[~holes])  # known pixels unchanged, bit for bit
    assert (out[holes] != frames[holes]).mean() > 0.5  # hole pixels come from the network


def test_same_seed_same_result(tiny_case):
    frames, holes = tiny_case
    config = get_preset("test")
    assert np.array_equal(inpaint(frames, holes, config), inpaint(frames, holes, config))


def test_working_size_and_padding():
    config = get_preset("default")
    assert working_size(1920, 1080, config) == (432, 243)
    assert working_size(320, 176, config) == (320, 176)  # never upscales
    assert padded_size(432, 243, 6) == (448, 256)
    assert padded_size(96, 48, 6) == (192, 192)
    assert working_size(1000, 500, get_preset("paper")) == (384, 192)


def test_prepare_pads_with_hole(tiny_case):
    frames, holes = tiny_case
    prepared = prepare(frames, holes, get_preset("test").replace(max_side=90))
    assert prepared.size == (90, 45) and prepared.frames.shape[1:3] == (48, 96)
    assert prepared.holes[:, 45:, :].all() and prepared.holes[:, :, 90:].all()


def test_empty_masks_copy_the_input_through(tiny_case):
    frames, holes = tiny_case
    result = inpaint_video(frames, np.zeros_like(holes), get_preset("test"))
    assert np.array_equal(result.frames, frames) and "nothing to fill" in result.notes[0]


def test_masks_that_cover_most_of_the_clip_get_a_note(tiny_case):
    frames, holes = tiny_case
    inverted = ~holes
    assert inverted.mean() > 0.5 and holes.mean() < 0.5
    assert any("invert" in note for note in inpaint_video(frames, inverted, get_preset("default")).notes)
    assert not any("invert" in note for note in inpaint_video(frames, holes, get_preset("default")).notes)


def test_bad_arrays_are_clear_errors(tiny_case):
    frames, holes = tiny_case
    with pytest.raises(VideofillError, match="11 masks but 12 frames"):
        inpaint(frames, holes[:-1], get_preset("test"))
    with pytest.raises(VideofillError, match="masks are"):
        inpaint(frames, holes[:, :-1], get_preset("test"))
    with pytest.raises(VideofillError, match="batch needs 5"):
        inpaint(frames[:3], holes[:3], get_preset("test"))
    with pytest.raises(VideofillError, match="unknown preset"):
        get_preset("fast-please")


def test_hole_region_holds_every_hole_and_fits_the_network():
    holes = np.zeros((3, 64, 128), bool)
    holes[0, 20:25, 30:34] = True
    holes[2, 40:44, 50:60] = True
    prepared = PreparedVideo(np.zeros((3, 64, 128, 3), np.uint8), holes, (128, 64))
    x0, y0, x1, y1 = hole_region(prepared, depth=3, margin=4)
    assert (x0, x1) == (26, 66)  # holes span x 30..59, +-4 -> 26..64: 38 px, grown to 40 (a multiple of 8)
    assert (y0, y1) == (16, 48)  # y 20..43, +-4 -> 16..48: 32 px, a multiple of 8 and above the minimum 24
    assert holes[:, y0:y1, x0:x1].sum() == holes.sum()
    assert hole_region(prepared, depth=3, margin=60) is None  # 120 of 128 columns: (nearly) the whole frame


def test_training_on_the_hole_window_keeps_known_pixels(tiny_case):
    frames, holes = tiny_case
    holes = np.zeros_like(holes)
    holes[:, 10:20, 40:52] = True  # a small hole, so the window is much smaller than the frame
    config = get_preset("test").replace(crop_margin=4)
    result = inpaint_video(frames, holes, config)
    assert result.frames.shape == frames.shape
    np.testing.assert_array_equal(result.frames[~holes], frames[~holes])
    whole = inpaint_video(frames, holes, get_preset("test"))
    assert not np.array_equal(result.frames, whole.frames)  # the window really changed what was trained on


@pytest.mark.parametrize("preset", ["default", "test"])
def test_the_hole_content_of_the_input_is_never_read(tiny_case, preset):
    """The evaluation protocol's rule: a method reads frame pixels only where the mask says known."""
    frames, holes = tiny_case
    config = get_preset(preset).replace(max_side=96)
    scrambled = frames.copy()
    scrambled[holes] = np.random.default_rng(0).integers(0, 256, size=(int(holes.sum()), 3), dtype=np.uint8)
    np.testing.assert_array_equal(inpaint(frames, holes, config), inpaint(scrambled, holes, config))


def test_bf16_falls_back_to_float32_on_a_cpu_without_it(tiny_case, monkeypatch):
    import videofill.pipeline as pipeline

    frames, holes = tiny_case
    config = get_preset("test").replace(bf16=True, device="cpu")
    monkeypatch.setattr(pipeline, "cpu_has_bf16", lambda: False)
    emulated = inpaint_video(frames, holes, config)
    assert any("no native bfloat16" in note for note in emulated.notes)
    assert np.array_equal(emulated.frames, inpaint_video(frames, holes, config.replace(bf16=False)).frames)
    monkeypatch.setattr(pipeline, "cpu_has_bf16", lambda: True)
    assert not any("bfloat16" in note for note in inpaint_video(frames, holes, config).notes)


def test_best_passes_its_network_settings_to_the_synthesis(tiny_case, monkeypatch):
    from videofill.fill import synthesis

    seen = {}

    def record(propagation, holes, size, seed, network_steps, device="cpu", progress=False, network_runs=1,
               filler="auto"):
        seen.update(steps=network_steps, runs=network_runs, seed=seed, filler=filler)
        return propagation

    monkeypatch.setattr(synthesis, "fill_unseen", record)
    frames, holes = tiny_case
    config = get_preset("default").replace(quality="best", unseen_steps=7, unseen_runs=3, seed=5, unseen_filler="network")
    inpaint_video(frames, holes, config)
    assert seen == {"steps": 7, "runs": 3, "seed": 5, "filler": "network"}


def test_propagation_gets_the_resolved_way_to_combine_the_copies(tiny_case, monkeypatch):
    from videofill import pipeline
    from videofill.fill import fullres, propagate, synthesis

    seen, spatials = [], []
    real_video, real_full = propagate.propagate_video, fullres.fill_full_resolution

    def video(*args, combine="median", spatial="membrane", hold_still_holes=True, **kwargs):
        seen.append(("working size", combine))
        spatials.append((spatial, hold_still_holes))
        return real_video(*args, combine=combine, spatial=spatial, hold_still_holes=hold_still_holes, **kwargs)

    def full(*args, combine="median", **kwargs):
        seen.append(("full size", combine))
        return real_full(*args, combine=combine, **kwargs)

    monkeypatch.setattr(propagate, "propagate_video", video)
    monkeypatch.setattr(pipeline, "fill_full_resolution", full)
    monkeypatch.setattr(synthesis, "fill_unseen", lambda propagation, *args, **kwargs: propagation)
    frames, holes = tiny_case
    big = np.repeat(np.repeat(frames, 2, axis=1), 2, axis=2)  # larger than the working size: copies taken again
    config = get_preset("default").replace(max_side=48)
    inpaint_video(big, np.repeat(np.repeat(holes, 2, axis=1), 2, axis=2), config.replace(quality="best"))
    inpaint_video(big, np.repeat(np.repeat(holes, 2, axis=1), 2, axis=2),
                  config.replace(spatial_fill="thin plate", hold_still_holes=False))
    assert seen == [("working size", "agree"), ("full size", "agree"), ("working size", "median"), ("full size", "median")]
    assert spatials == [("auto", True), ("thin plate", False)]  # the configured settings reach propagation


@pytest.mark.parametrize("quality", ["fast", "best"])
def test_a_still_hole_under_a_static_camera_takes_no_copy_at_any_resolution(monkeypatch, quality):
    from videofill.fill import propagate

    rng = np.random.default_rng(0)
    count, height, width = 6, 96, 128
    coarse = rng.integers(0, 256, (12, 16, 3)).astype(np.uint8)
    scene = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    frames = np.repeat(scene[None], count, axis=0)  # a static camera
    holes = np.zeros((count, height, width), bool)
    holes[:, 36:60, 48:80] = True  # a watermark that stays put: no frame shows behind it

    class AroundTheHole:  # motion beside the hole only (a hand passing by), which the local model carries into it
        def __call__(self, first, second):
            flow = np.zeros((*first.shape[:2], 2), np.float32)
            s = first.shape[1] / width
            flow[int(16 * s) : int(80 * s), int(24 * s) : int(104 * s), 0] = 3 * s
            return flow

    found = {}
    real = propagate.drop_still_hole_copies

    def spy(propagation, *args, **kwargs):
        found["seen"] = propagation.seen.sum()
        result = real(propagation, *args, **kwargs)
        found["after"], found["replaced"] = result.seen.sum(), result.replaced
        return result

    monkeypatch.setattr(propagate, "drop_still_hole_copies", spy)
    config = get_preset("default").replace(quality=quality, unseen_filler="diffusion", unseen_steps=0, max_side=64,
                                           dilate=0, dilate_side=None, feather=0)  # 128 px wide: copies taken again
    result = inpaint_video(frames, holes, config, flow_estimator=AroundTheHole())
    box = np.zeros_like(found["replaced"])
    box[:, 18:30, 24:40] = True  # the watermark at the working size (64x48, padded): the padding is not replaced
    assert found["seen"] > 0 and found["after"] == 0  # propagation's copies, dropped
    assert np.array_equal(found["replaced"], box)
    upscaled = np.stack([cv2.resize(g, (width, height), interpolation=cv2.INTER_CUBIC) for g in result.generated])
    # every hole pixel is the working size's synthesis, upscaled: none is copied again from the frames
    assert np.array_equal(result.frames[holes], upscaled[holes])
