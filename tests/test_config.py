import pytest

from videofill.config import UNSEEN_REVISION, InpaintConfig, get_preset
from videofill.errors import VideofillError


def test_paper_preset_is_the_paper():
    paper = get_preset("paper")
    assert paper.size == (384, 192)
    assert (paper.batch_frames, paper.steps_per_batch, paper.epochs, paper.lr) == (5, 100, 20.0, 0.01)
    assert paper.strides == (1, 3, 5)
    weights = (paper.weight_reconstruction, paper.weight_flow, paper.weight_consistency, paper.weight_perceptual)
    assert weights == (1.0, 0.1, 1.0, 0.01)
    assert paper.max_steps is None and paper.perceptual and not paper.bf16
    assert not paper.guide_start and paper.weight_guide == 0 and paper.crop_margin is None  # nothing beyond the paper


def test_zero_steps_needs_the_propagated_start():
    assert get_preset("default").max_steps == 0
    with pytest.raises(VideofillError, match="guide_start"):
        get_preset("paper").replace(max_steps=0)


def test_saved_config_loads_back(tmp_path):
    config = get_preset("default").replace(seed=7, size=(320, 176))
    config.save(tmp_path / "c.json")
    assert InpaintConfig.load(tmp_path / "c.json") == config


def test_a_record_from_before_unseen_runs_keeps_one_network():
    old = {k: v for k, v in get_preset("default").replace(unseen_steps=400).to_dict().items() if k != "unseen_runs"}
    assert InpaintConfig.from_dict(old).unseen_runs == 1  # best trained one network then
    assert InpaintConfig.from_dict({"seed": 3}).unseen_runs == InpaintConfig().unseen_runs  # a partial config: defaults
    for bad in (0, 1.5, True):
        with pytest.raises(VideofillError, match="--unseen-runs"):
            InpaintConfig(unseen_runs=bad)


def test_combine_auto_follows_the_quality_and_old_records_keep_the_median():
    config = get_preset("default")
    assert config.combine == "auto" and config.copy_combine == "median"
    assert config.replace(quality="best").copy_combine == "agree"
    assert config.replace(quality="best", combine="one").copy_combine == "one"
    old = {k: v for k, v in config.replace(quality="best").to_dict().items() if k != "combine"}
    assert InpaintConfig.from_dict(old).copy_combine == "median"  # saved before combine existed: ran with the median
    with pytest.raises(VideofillError, match="unknown combine"):
        InpaintConfig(combine="mean")


def test_a_resume_compares_what_changes_the_pixels():
    fast = get_preset("default")
    assert "unseen_steps" not in fast.result_settings() and fast.result_settings()["combine"] == "median"
    assert "unseen_steps" in fast.replace(quality="best").result_settings()
    # a fast run recorded before unseen_runs, combine auto and unseen_steps 200: the same pixels
    old = {k: v for k, v in fast.to_dict().items() if k not in ("unseen_runs", "combine")} | {"unseen_steps": 400}
    assert fast.same_result(old) and fast.same_result(fast.result_settings())
    assert not fast.replace(quality="best").same_result(old)  # best: the networks and the combine differ
    assert not fast.same_result(fast.replace(seed=1).result_settings())
    assert not fast.same_result({"combine": "mean"}) and not fast.same_result({"seed": "x", "size": 3})
    # a best run saved before best trained networks (no unseen_steps, no combine): not today's best
    older = {k: v for k, v in fast.replace(quality="best").result_settings().items()
             if k not in ("unseen_steps", "unseen_runs", "combine")}
    best = fast.replace(quality="best")
    assert not best.same_result(older)
    assert best.replace(unseen_steps=0, unseen_runs=1, combine="median").same_result(older)
    assert not fast.same_result([1, 2])
    # saved before the spatial fill could be chosen: it was Telea's, and a run record rerun keeps it
    record = {k: v for k, v in fast.replace(quality="best").to_dict().items() if k != "spatial_fill"}
    assert InpaintConfig.from_dict(record).spatial_fill == "telea"
    before = {k: v for k, v in fast.result_settings().items() if k != "spatial_fill"}
    assert not fast.same_result(before) and fast.replace(spatial_fill="telea").same_result(before)
    assert "--spatial-fill telea" in fast.resume_hint(before)  # the refusal says how to resume it
    assert fast.resume_hint(before | {"seed": 1}) == "" and fast.resume_hint(fast.result_settings()) == ""
    # saved before holes that stay put took the spatial fill: they kept their copies
    between = {k: v for k, v in fast.result_settings().items() if k != "hold_still_holes"}
    assert not fast.same_result(between) and fast.replace(hold_still_holes=False).same_result(between)
    assert fast.resume_hint(between).endswith("add --no-hold-still-holes to resume it)")
    membrane = fast.replace(spatial_fill="membrane+thin plate").result_settings()  # another choice, or default
    assert "add --spatial-fill 'membrane+thin plate' to resume it" in fast.resume_hint(membrane)
    assert "--spatial-fill telea --no-hold-still-holes" in fast.resume_hint(
        {k: v for k, v in between.items() if k != "spatial_fill"})  # older still: both
    assert InpaintConfig.from_dict({k: v for k, v in record.items() if k != "hold_still_holes"}).hold_still_holes is False
    night11 = {k: v for k, v in fast.to_dict().items() if k != "hold_still_holes"}  # a spatial fill, no hold
    assert InpaintConfig.from_dict(night11).hold_still_holes is False  # fast kept the copies then
    assert InpaintConfig.from_dict(night11 | {"quality": "best"}).hold_still_holes is True  # best replaced them
    with pytest.raises(VideofillError, match="hold_still_holes must be true or false"):
        InpaintConfig(hold_still_holes="false")
    assert InpaintConfig.from_dict({"seed": 3}).hold_still_holes is True  # a saved configuration, not a run record
    paper = get_preset("paper")  # no propagation: its spatial fill changes no pixel
    assert "spatial_fill" not in paper.result_settings() and "hold_still_holes" not in paper.result_settings()
    assert paper.same_result({k: v for k, v in paper.to_dict().items() if k not in ("spatial_fill", "hold_still_holes")})
    with pytest.raises(VideofillError, match="unknown spatial fill"):
        InpaintConfig(spatial_fill="smear")


def test_a_best_run_saved_by_another_revision_of_the_unseen_stage_is_not_resumed():
    fast = get_preset("default")
    best = fast.replace(quality="best")
    saved = best.result_settings()
    assert saved["unseen_revision"] == UNSEEN_REVISION and best.same_result(saved)
    assert not best.same_result({k: v for k, v in saved.items() if k != "unseen_revision"})  # before revisions
    assert not best.same_result(saved | {"unseen_revision": UNSEEN_REVISION - 1})
    assert "unseen_revision" not in fast.result_settings()  # fast never runs that stage
    assert fast.same_result(fast.result_settings() | {"unseen_revision": UNSEEN_REVISION - 1})


def test_unknown_preset_and_method_are_clear_errors():
    with pytest.raises(VideofillError, match="unknown preset"):
        get_preset("fast")
    with pytest.raises(VideofillError, match="unknown method"):
        InpaintConfig(method="magic")


def test_out_of_range_settings_are_clear_errors():
    for field, value, message in [
        ("propagation_passes", 0, "propagation_passes"),
        ("guide_untrusted", 1.5, "guide_untrusted"),
        ("crop_margin", -1, "crop_margin"),
        ("max_steps", -3, "max_steps"),
    ]:
        with pytest.raises(VideofillError, match=message):
            get_preset("default").replace(**{field: value})


def test_the_dilation_scales_with_the_long_side_when_asked():
    config = get_preset("default").replace(dilate=2, dilate_side=432)
    assert config.dilation(432, 240) == 2
    assert config.dilation(1280, 720) == 6  # 2 * 1280 / 432 = 5.9
    assert config.dilation(96, 48) == 2  # never below dilate
    assert config.replace(dilate_side=None).dilation(1280, 720) == 2
    with pytest.raises(VideofillError):
        config.replace(dilate_side=0)


def test_unseen_filler_is_checked_and_counts_only_with_quality_best():
    with pytest.raises(VideofillError, match="unknown --unseen-filler"):
        InpaintConfig(unseen_filler="smear")
    with pytest.raises(VideofillError, match="--unseen-steps 0 trains none"):
        InpaintConfig(unseen_filler="network+diffusion", unseen_steps=0)
    with pytest.raises(VideofillError, match="--unseen-steps 0 trains none"):
        InpaintConfig(unseen_filler="exemplar+network", unseen_steps=0)
    assert InpaintConfig(unseen_filler="exemplar", unseen_steps=0).unseen_filler == "exemplar"  # no network needed
    fast = get_preset("default")
    assert "unseen_filler" not in fast.result_settings()
    assert fast.replace(quality="best", unseen_filler="patches").result_settings()["unseen_filler"] == "patches"
    older = {k: v for k, v in fast.replace(quality="best").result_settings().items() if k != "unseen_filler"}
    assert fast.replace(quality="best").same_result(older)  # saved before the field: auto, as those runs chose
    assert not fast.replace(quality="best", unseen_filler="patches").same_result(older)
