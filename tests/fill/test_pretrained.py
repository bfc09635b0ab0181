"""Tests for videofill.fill.vgg, videofill.eval.inception and videofill.io.weights: loading, shapes, hole growth, Fréchet distance, FID (random weights only)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from conftest import TINY
from scipy.linalg import sqrtm

from videofill.errors import VideofillError
from videofill.eval.inception import (
    INCEPTION_FILENAMES,
    InceptionFeatures,
    _pool3x3,
    fid,
    frechet_distance,
    inception_features,
    inception_variant,
    load_inception,
)
from videofill.fill.losses import downsample_holes, grow_holes
from videofill.fill.vgg import (
    VGG16_FILENAMES,
    VGG16Features,
    load_vgg16,
)
from videofill.io.weights import MissingWeightsWarning, find_weights


@pytest.fixture
def hub(tmp_path, monkeypatch) -> pathlib.Path:
    """An empty torch hub checkpoint folder, with $TORCH_HOME pointing at it."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    folder = tmp_path / "torch" / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    assert pathlib.Path(torch.hub.get_dir()) / "checkpoints" == folder
    return folder


def _randomise(module: nn.Module, seed: int) -> None:
    """Weights that keep activations O(1) through deep stacks, and non-trivial BatchNorm statistics."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))


def _tiny_frames(count: int) -> np.ndarray:
    cv2 = pytest.importorskip("cv2")
    frames = []
    for i in range(count):
        bgr = cv2.imread(str(TINY / "frames" / f"{i:05d}.png"), cv2.IMREAD_COLOR)
        if bgr is None:
            pytest.skip(f"test data missing: {TINY}")
        frames.append(bgr[..., ::-1])
    return np.ascontiguousarray(np.stack(frames))  # (T, 48, 96, 3) uint8 RGB


# ------------------------------------------------------------------------------------------------ find_weights


def test_find_weights_none_when_hub_empty(hub):
    assert find_weights(["a.pth", "b.pth"], None) is None


def test_find_weights_hub_order(hub):
    (hub / "b.pth").write_bytes(b"x")
    assert find_weights(["a.pth", "b.pth"], None) == hub / "b.pth"
    (hub / "a.pth").write_bytes(b"x")
    assert find_weights(["a.pth", "b.pth"], None) == hub / "a.pth"


def test_find_weights_user_path_wins(hub, tmp_path):
    (hub / "a.pth").write_bytes(b"x")
    mine = tmp_path / "mine.pth"
    mine.write_bytes(b"x")
    assert find_weights(["a.pth"], str(mine)) == mine


def test_find_weights_missing_user_path_raises(hub, tmp_path):
    (hub / "a.pth").write_bytes(b"x")
    missing = tmp_path / "nope.pth"
    with pytest.raises(VideofillError, match="nope.pth"):
        find_weights(["a.pth"], missing)
    with pytest.raises(VideofillError, match="not found"):
        find_weights(["a.pth"], tmp_path)  # a folder is not a weight file


# ------------------------------------------------------------------------------------------------ VGG16


def _torchvision_vgg_state(model: VGG16Features) -> dict[str, torch.Tensor]:
    """The module's weights plus the entries a full torchvision vgg16 state dict has beyond relu3_3."""
    state = dict(model.state_dict())
    assert "features.0.weight" in state and "features.14.bias" in state
    state["features.17.weight"] = torch.randn(512, 256, 3, 3)
    state["features.17.bias"] = torch.randn(512)
    state["classifier.0.weight"] = torch.randn(8, 8)
    state["classifier.6.bias"] = torch.randn(1000)
    return state


def test_vgg_load_from_user_path_matches_source(tmp_path):
    torch.manual_seed(0)
    source = VGG16Features()
    path = tmp_path / "vgg.pth"
    torch.save(_torchvision_vgg_state(source), path)
    loaded = load_vgg16(path)
    assert isinstance(loaded, VGG16Features)
    x = torch.rand(2, 3, 20, 28)
    out, ref = loaded(x), source(x)
    assert [tuple(o.shape) for o in out] == [(2, 64, 20, 28), (2, 128, 10, 14), (2, 256, 5, 7)]
    for o, r in zip(out, ref):
        torch.testing.assert_close(o, r, rtol=0, atol=0)
    assert not any(p.requires_grad for p in loaded.parameters())
    assert not loaded.training


def test_vgg_loads_bare_features_keys_and_from_hub(hub):
    source = VGG16Features()
    _randomise(source, 1)
    bare = {k.removeprefix("features."): v for k, v in source.state_dict().items()}  # vgg16().features format
    torch.save(bare, hub / VGG16_FILENAMES[0])
    loaded = load_vgg16()
    assert loaded is not None
    for k, v in source.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k


def test_vgg_odd_sizes_and_normalisation():
    model = VGG16Features()
    out = model(torch.rand(1, 3, 33, 50))
    assert [tuple(o.shape[2:]) for o in out] == [(33, 50), (16, 25), (8, 12)]
    # ImageNet normalisation happens inside: the mean colour gives the same relu1_2 as a zero input to the raw convs.
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1).expand(1, 3, 8, 8)
    expected = model.features[3](model.features[2](model.features[1](model.features[0](torch.zeros(1, 3, 8, 8)))))
    torch.testing.assert_close(model(mean)[0], expected)
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        model(torch.rand(1, 1, 8, 8))


def test_vgg_gradient_reaches_input_and_stays_eval():
    model = VGG16Features()
    parent = nn.Sequential(model)
    parent.train()
    assert not model.training
    x = torch.rand(1, 3, 16, 16, requires_grad=True)
    sum(o.square().mean() for o in model(x)).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.parameters())


def test_load_vgg16_missing_warns_and_returns_none(hub):
    with pytest.warns(MissingWeightsWarning, match="vgg16-397923af.pth"):
        assert load_vgg16(None) is None


def test_load_vgg16_bad_files_raise(tmp_path):
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(VideofillError, match="junk.pth"):
        load_vgg16(junk)
    state = VGG16Features().state_dict()
    del state["features.12.weight"]
    partial = tmp_path / "partial.pth"
    torch.save(state, partial)
    with pytest.raises(VideofillError, match="features.12.weight"):
        load_vgg16(partial)
    state = dict(VGG16Features().state_dict())
    state["features.0.weight"] = torch.zeros(64, 1, 3, 3)
    wrong = tmp_path / "wrong.pth"
    torch.save(state, wrong)
    with pytest.raises(VideofillError, match="shape"):
        load_vgg16(wrong)
    with pytest.raises(VideofillError, match="missing.pth"):
        load_vgg16(tmp_path / "missing.pth")


# ------------------------------------------------------------------------------------------------ hole growth


def _grown(holes: torch.Tensor, growth: tuple[int, ...]) -> list[torch.Tensor]:
    h = holes.double()
    out = []
    for stride, r in zip(VGG16Features.LAYER_STRIDES, growth):
        reduced = F.max_pool2d(h, stride, stride) if stride > 1 else h
        out.append(F.max_pool2d(reduced, 2 * r + 1, 1, r) > 0.5 if r > 0 else reduced > 0.5)
    return out


@pytest.mark.parametrize("top, left", [(37, 41), (40, 42), (38, 40)])
def test_hole_growth_exact_and_tight(top, left):
    """Changing hole pixels changes no feature outside the holes PerceptualLoss grows, and does with one pixel less growth."""
    torch.manual_seed(0)
    model = VGG16Features()
    _randomise(model, 2)
    model.double()
    h, w = 88, 92
    holes = torch.zeros(1, 1, h, w, dtype=torch.bool)
    holes[..., top : top + 7, left : left + 9] = True
    x = torch.rand(1, 3, h, w, dtype=torch.float64)
    y = torch.where(holes, torch.rand_like(x) * 4 - 2, x)  # new values (also out of range) in the hole only
    loose = _grown(holes, tuple(r - 1 for r in VGG16Features.HOLE_GROWTH_PX))
    for fx, fy, growth, small in zip(model(x), model(y), VGG16Features.HOLE_GROWTH_PX, loose):
        mask = grow_holes(downsample_holes(holes, tuple(fx.shape[2:])), growth)  # what PerceptualLoss masks
        assert mask.shape[2:] == fx.shape[2:] and mask.dtype == torch.bool
        changed = (fx - fy).abs().amax(dim=1, keepdim=True) > 1e-12  # (1, 1, h_k, w_k)
        assert not (changed & ~mask).any(), "a feature outside the grown hole sees the hole"
        assert (changed & ~small).any(), "growth is not tight"


def test_hole_growth_in_input_pixels_is_equivalent():
    holes = torch.rand(2, 1, 64, 72) > 0.97
    growth = VGG16Features.HOLE_GROWTH_INPUT_PX
    layer_holes = [grow_holes(downsample_holes(holes, (64 // s, 72 // s)), g) for s, g in zip(VGG16Features.LAYER_STRIDES, VGG16Features.HOLE_GROWTH_PX)]
    for stride, r_in, mask in zip(VGG16Features.LAYER_STRIDES, growth, layer_holes):
        grown = F.max_pool2d(holes.float(), 2 * r_in + 1, 1, r_in)
        reduced = F.max_pool2d(grown, stride, stride) if stride > 1 else grown
        assert torch.equal(reduced > 0.5, mask)


# ------------------------------------------------------------------------------------------------ Fréchet distance


def _with_exact_moments(rng, n: int, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """n samples whose sample mean is exactly `mean` and unbiased sample covariance exactly diag(var)."""
    x = rng.standard_normal((n, len(mean)))
    x -= x.mean(axis=0)
    chol = np.linalg.cholesky(np.cov(x, rowvar=False))
    white = np.linalg.solve(chol, x.T).T  # sample covariance = identity
    return white * np.sqrt(var) + mean


def test_frechet_same_set_is_zero():
    feats = np.random.default_rng(0).standard_normal((7, 50)) * 3
    assert frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-9)


def test_frechet_identity_covariances_is_squared_mean_distance():
    rng = np.random.default_rng(1)
    d = np.array([1.0, -2.0, 0.5, 0.0, 3.0])
    a = _with_exact_moments(rng, 40, np.zeros(5), np.ones(5))
    b = _with_exact_moments(rng, 30, d, np.ones(5))
    assert frechet_distance(a, b) == pytest.approx(float(d @ d), rel=1e-9)


def test_frechet_diagonal_covariances_closed_form():
    rng = np.random.default_rng(2)
    va, vb = rng.uniform(0.2, 3.0, 6), rng.uniform(0.2, 3.0, 6)
    mu = rng.standard_normal(6)
    a = _with_exact_moments(rng, 50, np.zeros(6), va)
    b = _with_exact_moments(rng, 25, mu, vb)
    expected = mu @ mu + np.sum((np.sqrt(va) - np.sqrt(vb)) ** 2)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("n, m, dim", [(40, 25, 8), (5, 9, 30), (3, 3, 2048)])
def test_frechet_matches_sqrtm_formula(n, m, dim):
    """Same value as the textbook formula with scipy.linalg.sqrtm (full-rank and singular covariances)."""
    rng = np.random.default_rng(n + m + dim)
    a = rng.standard_normal((n, dim)) @ rng.standard_normal((dim, dim)) * 0.3
    b = rng.standard_normal((m, dim)) + 0.7
    sa, sb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    if dim > 100:  # sqrtm of a 2048 x 2048 matrix takes many seconds: use the symmetric form of the same trace
        w, v = np.linalg.eigh(sa)
        root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
        trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ sb @ root_a), 0, None)).sum()
    else:
        trace_sqrt = np.trace(sqrtm(sa @ sb)).real
    diff = a.mean(0) - b.mean(0)
    expected = diff @ diff + np.trace(sa) + np.trace(sb) - 2 * trace_sqrt
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)


def test_frechet_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(np.zeros((1, 4)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        frechet_distance(np.zeros((3, 4)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.full((3, 4), np.nan), np.zeros((3, 4)))


# ------------------------------------------------------------------------------------------------ Inception


def test_inception_state_dict_names_and_size():
    model = InceptionFeatures()
    names = model.state_dict().keys()
    # torchvision's Inception3 minus AuxLogits and fc has 21,785,568 parameters.
    assert sum(p.numel() for p in model.parameters()) == 21_785_568
    for key in ("Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch5x5_2.bn.running_var",
                "Mixed_6e.branch7x7dbl_5.conv.weight", "Mixed_7a.branch7x7x3_4.conv.weight",
                "Mixed_7c.branch3x3dbl_3b.bn.bias"):
        assert key in names
    assert not any(k.startswith(("fc.", "AuxLogits.")) for k in names)


def test_pool_variants():
    x = torch.ones(1, 1, 4, 4)
    assert _pool3x3(x, "avg")[0, 0, 0, 0].item() == pytest.approx(4 / 9)  # torchvision: zeros counted
    assert _pool3x3(x, "avg_no_pad")[0, 0, 0, 0].item() == pytest.approx(1.0)  # FID: padding not counted
    y = torch.arange(16.0).view(1, 1, 4, 4)
    assert _pool3x3(y, "max")[0, 0, 0, 0].item() == 5.0
    fid_model, tv_model = InceptionFeatures("fid"), InceptionFeatures("torchvision")
    assert (fid_model.Mixed_5b.pool, fid_model.Mixed_6b.pool, fid_model.Mixed_7b.pool, fid_model.Mixed_7c.pool) == (
        "avg_no_pad", "avg_no_pad", "avg_no_pad", "max")
    assert {tv_model.Mixed_5b.pool, tv_model.Mixed_6e.pool, tv_model.Mixed_7b.pool, tv_model.Mixed_7c.pool} == {"avg"}
    with pytest.raises(ValueError, match="variant"):
        InceptionFeatures("tf")


def test_inception_preprocess():
    x = torch.zeros(2, 3, 20, 30)
    x[1] = 1.0
    x[0, :, :, 15:] = 0.5
    y = InceptionFeatures.preprocess(x)
    assert y.shape == (2, 3, 299, 299)
    close = dict(atol=1e-6, rtol=0)  # bilinear resizing rounds differently with the number of threads
    assert torch.allclose(y[1], torch.ones_like(y[1]), **close)
    assert torch.allclose(y[0, :, :, 0], torch.full_like(y[0, :, :, 0], -1.0), **close)
    assert torch.allclose(y[0, :, :, -1], torch.zeros_like(y[0, :, :, -1]), **close)
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        InceptionFeatures.preprocess(torch.zeros(3, 20, 30))


@pytest.fixture(scope="module")
def inception_files(tmp_path_factory):
    """A randomly initialised FID-variant Inception, saved in pytorch-fid and in torchvision format."""
    source = InceptionFeatures("fid")
    _randomise(source, 3)
    folder = tmp_path_factory.mktemp("inception")
    state = dict(source.state_dict())
    fid_path = folder / "pt_inception.pth"
    torch.save({**state, "fc.weight": torch.randn(1008, 2048), "fc.bias": torch.randn(1008)}, fid_path)
    tv_path = folder / "inception_tv.pth"
    extra = {"fc.weight": torch.randn(1000, 2048), "fc.bias": torch.randn(1000),
             "AuxLogits.conv0.conv.weight": torch.randn(128, 768, 1, 1), "AuxLogits.fc.weight": torch.randn(1000, 768)}
    torch.save({**state, **extra}, tv_path)
    return source, fid_path, tv_path


def test_inception_load_matches_source(inception_files):
    source, fid_path, _ = inception_files
    loaded = load_inception(fid_path)
    assert isinstance(loaded, InceptionFeatures) and loaded.variant == "fid"
    assert not any(p.requires_grad for p in loaded.parameters()) and not loaded.training
    frames = _tiny_frames(3)
    feats = inception_features(loaded, frames, batch_size=2)  # two batches: 2 + 1
    assert feats.shape == (3, 2048) and feats.dtype == np.float64
    with torch.no_grad():
        ref = source(torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255).double().numpy()
    assert ref.std() > 1e-3  # the random network is not degenerate
    np.testing.assert_allclose(feats, ref, rtol=1e-4, atol=1e-5)


def test_inception_torchvision_format_detected(inception_files):
    source, fid_path, tv_path = inception_files
    assert inception_variant(torch.load(fid_path, weights_only=True)) == "fid"
    loaded = load_inception(tv_path)
    assert loaded.variant == "torchvision"
    assert torch.equal(loaded.Mixed_7c.branch_pool.conv.weight, source.Mixed_7c.branch_pool.conv.weight)


def test_inception_from_hub(inception_files, hub):
    _, fid_path, _ = inception_files
    (hub / INCEPTION_FILENAMES[1]).symlink_to(fid_path)  # the torchvision name is found when it is the only one
    assert load_inception() is not None


def test_fid_of_frames_with_themselves_is_zero(inception_files):
    _, fid_path, _ = inception_files
    model = load_inception(fid_path)
    frames = _tiny_frames(2)
    assert fid(frames, frames, model) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        inception_features(model, frames.astype(np.float32))
    with pytest.raises(ValueError, match="at least 2"):
        fid(frames[:1], frames, model)


def test_load_inception_missing_warns_and_returns_none(hub):
    with pytest.warns(MissingWeightsWarning, match="pt_inception"):
        assert load_inception() is None
