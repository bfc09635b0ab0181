"""InceptionV3 features and the Fréchet distance (FID), loaded from local weights only.

Files: ``pt_inception-2015-12-05-6726825d.pth`` (pytorch-fid's port of the TensorFlow FID network) or, second
choice, ``inception_v3_google-0cc3c7bd.pth`` (torchvision's ``inception_v3``). The two share parameter names but not
the network: the FID network pools differently in the Mixed_5b-d (A), Mixed_6b-e (C) and Mixed_7b (E) blocks
(average pools that ignore the zero padding, ``count_include_pad=False``) and in Mixed_7c (a 3x3 max pool instead of
the average pool). :func:`load_inception` picks the variant from the file: a 1008-way ``fc`` layer means the FID
file. Only the FID file gives FID values comparable with other papers and tools; :attr:`InceptionFeatures.variant`
says which one was used.
"""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from videofill.io.weights import (
    FrozenNetwork,
    find_weights,
    load_matching,
    read_state_dict,
    warn_missing,
)

INCEPTION_FILENAMES: tuple[str, ...] = ("pt_inception-2015-12-05-6726825d.pth", "inception_v3_google-0cc3c7bd.pth")


class _Conv(nn.Module):
    """torchvision's BasicConv2d: conv without bias, BatchNorm (eps 1e-3), ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel, stride=1, padding=0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))



def _pool3x3(x: torch.Tensor, kind: str) -> torch.Tensor:
    """The stride-1 3x3 pool of a pool branch: "avg" (torchvision), "avg_no_pad" (FID: padding not counted), "max"."""
    if kind == "max":
        return F.max_pool2d(x, 3, 1, 1)
    return F.avg_pool2d(x, 3, 1, 1, count_include_pad=(kind == "avg"))



class _InceptionA(nn.Module):
    def __init__(self, c_in: int, pool_features: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = _Conv(c_in, 64, 1)
        self.branch5x5_1 = _Conv(c_in, 48, 1)
        self.branch5x5_2 = _Conv(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = _Conv(c_in, 64, 1)
        self.branch3x3dbl_2 = _Conv(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = _Conv(96, 96, 3, padding=1)
        self.branch_pool = _Conv(c_in, pool_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(_pool3x3(x, self.pool))
        return torch.cat([self.branch1x1(x), b5, b3, bp], 1)  # (B, 224 + pool_features, h, w)



class _InceptionB(nn.Module):
    def __init__(self, c_in: int) -> None:
        super().__init__()
        self.branch3x3 = _Conv(c_in, 384, 3, stride=2)
        self.branch3x3dbl_1 = _Conv(c_in, 64, 1)
        self.branch3x3dbl_2 = _Conv(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = _Conv(96, 96, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), b3, F.max_pool2d(x, 3, 2)], 1)  # (B, 480 + c_in, h/2, w/2)



class _InceptionC(nn.Module):
    def __init__(self, c_in: int, c7: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = _Conv(c_in, 192, 1)
        self.branch7x7_1 = _Conv(c_in, c7, 1)
        self.branch7x7_2 = _Conv(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = _Conv(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = _Conv(c_in, c7, 1)
        self.branch7x7dbl_2 = _Conv(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = _Conv(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = _Conv(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = _Conv(c7, 192, (1, 7), padding=(0, 3))
        self.branch_pool = _Conv(c_in, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = self.branch7x7dbl_1(x)
        d = self.branch7x7dbl_5(self.branch7x7dbl_4(self.branch7x7dbl_3(self.branch7x7dbl_2(d))))
        bp = self.branch_pool(_pool3x3(x, self.pool))
        return torch.cat([self.branch1x1(x), b7, d, bp], 1)  # (B, 768, h, w)



class _InceptionD(nn.Module):
    def __init__(self, c_in: int) -> None:
        super().__init__()
        self.branch3x3_1 = _Conv(c_in, 192, 1)
        self.branch3x3_2 = _Conv(192, 320, 3, stride=2)
        self.branch7x7x3_1 = _Conv(c_in, 192, 1)
        self.branch7x7x3_2 = _Conv(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = _Conv(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = _Conv(192, 192, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([b3, b7, F.max_pool2d(x, 3, 2)], 1)  # (B, 512 + c_in, h/2, w/2)



class _InceptionE(nn.Module):
    def __init__(self, c_in: int, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.branch1x1 = _Conv(c_in, 320, 1)
        self.branch3x3_1 = _Conv(c_in, 384, 1)
        self.branch3x3_2a = _Conv(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = _Conv(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = _Conv(c_in, 448, 1)
        self.branch3x3dbl_2 = _Conv(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = _Conv(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = _Conv(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = _Conv(c_in, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(s), self.branch3x3_2b(s)], 1)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1)
        bp = self.branch_pool(_pool3x3(x, self.pool))
        return torch.cat([self.branch1x1(x), b3, bd, bp], 1)  # (B, 2048, h, w)



class InceptionFeatures(FrozenNetwork):
    """InceptionV3 up to the global average pool: the 2048-d features FID is computed on.

    Parameter names are torchvision's ``Inception3`` ones (``Conv2d_1a_3x3.conv.weight``, ``Mixed_5b.branch1x1...``);
    the auxiliary classifier and ``fc`` are left out. Parameters do not require gradients; the module stays in eval
    mode (BatchNorm uses the stored statistics).

    Args:
        variant: "fid" for pytorch-fid's ``pt_inception-2015-12-05-6726825d.pth`` (the TensorFlow FID network; see
            the module docstring for its pooling differences) or "torchvision" for ``inception_v3_google-*.pth``.

    Input normalisation: both weight files expect RGB scaled to [-1, 1] (torchvision's ``transform_input`` maps
    ImageNet-normalised input to exactly that), so :meth:`forward` feeds ``2 x - 1``.
    """

    def __init__(self, variant: str = "fid") -> None:
        super().__init__()
        if variant not in ("fid", "torchvision"):
            raise ValueError(f"expected variant 'fid' or 'torchvision', got {variant!r}")
        self.variant = variant
        avg = "avg_no_pad" if variant == "fid" else "avg"
        self.Conv2d_1a_3x3 = _Conv(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = _Conv(32, 32, 3)
        self.Conv2d_2b_3x3 = _Conv(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = _Conv(64, 80, 1)
        self.Conv2d_4a_3x3 = _Conv(80, 192, 3)
        self.Mixed_5b = _InceptionA(192, 32, avg)
        self.Mixed_5c = _InceptionA(256, 64, avg)
        self.Mixed_5d = _InceptionA(288, 64, avg)
        self.Mixed_6a = _InceptionB(288)
        self.Mixed_6b = _InceptionC(768, 128, avg)
        self.Mixed_6c = _InceptionC(768, 160, avg)
        self.Mixed_6d = _InceptionC(768, 160, avg)
        self.Mixed_6e = _InceptionC(768, 192, avg)
        self.Mixed_7a = _InceptionD(768)
        self.Mixed_7b = _InceptionE(1280, avg)
        self.Mixed_7c = _InceptionE(2048, "max" if variant == "fid" else "avg")
        self.freeze()

    @staticmethod
    def preprocess(x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) RGB in [0, 1] -> (B, 3, 299, 299) in [-1, 1]: bilinear resize (``align_corners=False``, no
        antialiasing, as pytorch-fid), then ``2 x - 1``. Raises ValueError for another shape."""
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W) RGB frames, got {tuple(x.shape)}")
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        return 2 * x - 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x: (B, 3, H, W) RGB in [0, 1], any size. Returns: (B, 2048) pooled features.

        The input goes through :meth:`preprocess` first."""
        x = self.preprocess(x)  # (B, 3, 299, 299) in [-1, 1]
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))  # (B, 64, 147, 147)
        x = F.max_pool2d(x, 3, 2)  # (B, 64, 73, 73)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))  # (B, 192, 71, 71)
        x = F.max_pool2d(x, 3, 2)  # (B, 192, 35, 35)
        x = self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x)))  # (B, 288, 35, 35)
        x = self.Mixed_6a(x)  # (B, 768, 17, 17)
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(x))))  # (B, 768, 17, 17)
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))  # (B, 2048, 8, 8)
        return x.mean(dim=(2, 3))  # (B, 2048)



def inception_variant(state: dict[str, torch.Tensor]) -> str:
    """"fid" if the state dict has pytorch-fid's 1008-way ``fc`` layer, else "torchvision"."""
    fc = state.get("fc.weight")
    return "fid" if fc is not None and fc.shape[0] == 1008 else "torchvision"



def load_inception(
    user_path: str | os.PathLike | None = None, device: str | torch.device = "cpu"
) -> InceptionFeatures | None:
    """Build :class:`InceptionFeatures` with pretrained weights, or return None (with a :class:`MissingWeightsWarning`).

    Args:
        user_path: an Inception3 state dict (pytorch-fid or torchvision format); if None, the hub cache is searched
            for ``pt_inception-2015-12-05-6726825d.pth``, then ``inception_v3_google-0cc3c7bd.pth``.
        device: where to put the module.

    The variant (see :class:`InceptionFeatures`) is chosen by :func:`inception_variant`.

    Raises:
        VideofillError: ``user_path`` does not exist, cannot be read, or lacks a layer.
    """
    path = find_weights(INCEPTION_FILENAMES, user_path)
    if path is None:
        warn_missing("InceptionV3", INCEPTION_FILENAMES, "FID")
        return None
    state = read_state_dict(path)
    model = InceptionFeatures(inception_variant(state))
    load_matching(model, state, path)
    return model.to(device)



def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets.

    ``|mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))`` with sample means mu and unbiased sample
    covariances S (divisor N - 1), as in the FID paper and pytorch-fid.

    The trace of the matrix square root is computed exactly, without ``scipy.linalg.sqrtm``: with centred
    features A (N, D) and B (M, D), S_a S_b = A^T A B^T B / ((N-1)(M-1)) has the same non-zero eigenvalues as
    (A B^T)(A B^T)^T, so ``tr((S_a S_b)^(1/2)) = ||A B^T||_* / sqrt((N-1)(M-1))`` (nuclear norm: the sum of singular
    values), evaluated as ``||R_a R_b^T||_*`` on the R factors of QR decompositions of A and B (at most D x D).
    It equals the trace of sqrtm's principal root (the tests compare the two), needs no epsilon on the diagonal
    and yields no imaginary parts, even when N < D and the covariances are singular (always the case for the
    frames of one video with 2048-d features); and it takes milliseconds where sqrtm of a 2048 x 2048 matrix takes
    ~14 s on two CPU cores.

    Args:
        feats_a: (N, D) features, N >= 2, finite.
        feats_b: (M, D) features, M >= 2, same D.

    Returns:
        the distance (>= 0 up to rounding; tiny negative rounding is clipped to 0).

    Raises:
        ValueError: wrong shapes, fewer than 2 rows, or non-finite values.
    """
    a = np.asarray(feats_a, dtype=np.float64)
    b = np.asarray(feats_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"expected (N, D) and (M, D) features, got {a.shape} and {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"need at least 2 samples per set for a covariance, got {len(a)} and {len(b)}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("features contain NaN or infinity")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    ca, cb = a - mu_a, b - mu_b  # (N, D), (M, D)
    ra = np.linalg.qr(ca, mode="r")  # (min(N, D), D), ca = Q ra
    rb = np.linalg.qr(cb, mode="r")  # (min(M, D), D)
    scale = np.sqrt((len(a) - 1) * (len(b) - 1))
    trace_sqrt = np.linalg.svd(ra @ rb.T, compute_uv=False).sum() / scale
    trace_a = np.einsum("nd,nd->", ca, ca) / (len(a) - 1)
    trace_b = np.einsum("nd,nd->", cb, cb) / (len(b) - 1)
    distance = float(np.sum((mu_a - mu_b) ** 2) + trace_a + trace_b - 2.0 * trace_sqrt)
    return max(distance, 0.0)



def inception_features(model: InceptionFeatures, frames: np.ndarray, batch_size: int = 8) -> np.ndarray:
    """Inception pool features of frames.

    Args:
        model: from :func:`load_inception`; its device is used.
        frames: (T, H, W, 3) uint8 RGB.
        batch_size: frames per forward pass.

    Returns:
        (T, 2048) float64 features.

    Raises:
        ValueError: ``frames`` is not (T, H, W, 3) uint8 with T >= 1, or ``batch_size`` < 1.
    """
    if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ValueError(f"expected (T, H, W, 3) uint8 RGB frames, got {frames.shape} {frames.dtype}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for start in range(0, len(frames), batch_size):
            chunk = torch.from_numpy(np.ascontiguousarray(frames[start : start + batch_size])).to(device)
            x = chunk.permute(0, 3, 1, 2).float() / 255.0  # (b, H, W, 3) uint8 -> (b, 3, H, W) in [0, 1]
            out.append(model(x).double().cpu().numpy())
    return np.concatenate(out)



def fid(result_frames: np.ndarray, reference_frames: np.ndarray, model: InceptionFeatures) -> float:
    """FID between the frames of a result video and the ground-truth frames of the same video.

    What is computed: the Fréchet distance (:func:`frechet_distance`) between the Inception pool features of the
    set of result frames and those of the set of reference frames, each set summarised by its mean and covariance.

    Why not the paper's wording ("FID of each inpainted frame against the full collection of ground-truth frames,
    aggregated over the video"): one frame has no covariance. Treating it as zero turns the per-frame score into
    ``|f_i - mu_ref|^2 + tr(S_ref)``, a distance to the mean plus a constant, which is not FID and is dominated by
    the reference spread. The set-to-set distance is the standard FID restricted to one video: the aggregation
    over the video happens by pooling all result frames into one Gaussian before comparing.

    Caveats: with T frames and 2048-d features both covariances have rank <= T - 1, so the value depends on T and
    is comparable only between results on the same video (same frames and frame count) and the same weights
    (``model.variant``); it is not comparable with the numbers in the paper's Table 1.

    Args:
        result_frames: (T, H, W, 3) uint8 RGB, T >= 2.
        reference_frames: (T', H', W', 3) uint8 RGB, T' >= 2 (sizes need not match; frames are resized to 299).
        model: from :func:`load_inception`.

    Raises:
        ValueError: bad frame arrays or fewer than 2 frames in a set.
    """
    for name, frames in (("result", result_frames), ("reference", reference_frames)):
        if len(frames) < 2:
            raise ValueError(f"FID needs at least 2 {name} frames for a covariance, got {len(frames)}")
    return frechet_distance(inception_features(model, result_frames), inception_features(model, reference_frames))

