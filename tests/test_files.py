from videofill.config import get_preset
from videofill.files import describe_method


def test_the_run_record_names_the_fill_with_its_resolved_settings():
    fast = get_preset("default")
    assert describe_method(fast) == "flow-guided propagation (copies combined: median), no network trained"
    best = describe_method(fast.replace(quality="best"))
    assert "copies combined: agree" in best and best.endswith("synthesised (quality best)")
    assert "corrected by dip-vid-flow (at most 300 steps)" in describe_method(fast.replace(max_steps=300))
    assert describe_method(get_preset("paper")) == "dip-vid-flow"
