import numpy as np
import pytest
import torch

from videofill.config import get_preset
from videofill.fill.methods import best_candidate, build_model
from videofill.fill.schedule import Batch
from videofill.fill.train import GuardConfig, ImageObjective, VideoTensors, fit


def _video(count=5, height=24, width=32):
    generator = torch.Generator().manual_seed(0)
    holes = torch.zeros(count, 1, height, width, dtype=torch.bool)
    holes[..., 8:14, 10:20] = True
    ys, xs = torch.meshgrid(torch.linspace(0, 3, height), torch.linspace(0, 3, width), indexing="ij")
    smooth = torch.stack([torch.sin(xs + t) * torch.cos(ys) * 0.4 + 0.5 for t in range(count)])  # (T, H, W)
    return VideoTensors(
        frames=smooth[:, None].repeat(1, 3, 1, 1),
        holes=holes,
        noise=torch.rand(count, 1, height, width, generator=generator) * 0.1,
    )


def test_fit_lowers_the_loss():
    config = get_preset("test").replace(method="dip-vid")
    model = build_model(config, torch.device("cpu"))
    objective = ImageObjective(_video(), torch.device("cpu"))
    batch = Batch(tuple(range(5)))
    result = fit(model, objective, ((s, batch) for s in range(30)), 30, 0.01, progress=False)
    assert result.steps == 30
    assert np.mean(result.history["rec"][-5:]) < 0.7 * np.mean(result.history["rec"][:5])


def test_injected_nan_is_recovered_and_reported():
    config = get_preset("test").replace(method="dip-vid")
    model = build_model(config, torch.device("cpu"))
    objective = ImageObjective(_video(), torch.device("cpu"))
    batch = Batch(tuple(range(5)))

    def poison(step, loss):
        return loss * float("nan") if step == 12 else loss

    with pytest.warns(RuntimeWarning, match="step 12: non-finite loss"):
        result = fit(
            model, objective, ((s, batch) for s in range(20)), 20, 0.01, progress=False,
            guard=GuardConfig.from_config(config.replace(guard_snapshot_every=5)), loss_hook=poison,
        )
    assert len(result.recoveries) == 1 and "step 12" in result.recoveries[0]
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert np.isfinite(result.history["rec"][-1])


def test_dip_best_candidate_is_the_lowest_loss():
    losses = [0.5, 0.2, 0.9, 0.21, 0.3]
    assert best_candidate(losses, ["a", "b", "c", "d", "e"]) == "b"
