import pytest

from videofill.config import get_preset
from videofill.errors import VideofillError
from videofill.fill.checkpoint import Checkpointer


def test_a_checkpoint_resumes_only_with_settings_that_give_its_result(tmp_path):
    config = get_preset("default").replace(max_steps=10)
    Checkpointer(tmp_path, config.result_settings()).save({"step": 3})
    assert Checkpointer(tmp_path, config.result_settings()).load()["step"] == 3
    same = config.replace(crf=30)  # output quality only
    assert Checkpointer(tmp_path, same.result_settings(), same=same.same_result).load()["step"] == 3
    other = config.replace(seed=5)
    with pytest.raises(VideofillError, match="other settings"):
        Checkpointer(tmp_path, other.result_settings(), same=other.same_result).load()
    with pytest.raises(VideofillError, match="other settings"):  # without ``same``: equality
        Checkpointer(tmp_path, {"seed": 0}).load()


def test_a_checkpoint_made_with_telea_as_the_spatial_fill_says_how_to_resume_it(tmp_path):
    config = get_preset("default").replace(max_steps=10)
    old = {k: v for k, v in config.result_settings().items() if k != "spatial_fill"}  # saved before the setting
    Checkpointer(tmp_path, old).save({"step": 3})
    with pytest.raises(VideofillError, match="--spatial-fill telea"):
        Checkpointer(tmp_path, config.result_settings(), same=config.same_result, hint=config.resume_hint).load()
    telea = config.replace(spatial_fill="telea")
    assert Checkpointer(tmp_path, telea.result_settings(), same=telea.same_result).load()["step"] == 3
