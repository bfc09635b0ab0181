"""Shared fixtures: the tiny case of ../shared/data, read once."""

import os
from pathlib import Path

import cv2
import numpy as np
import pytest


def _find_data() -> Path:
    """../shared/data beside the checkout, or $VIDEOFILL_DATA, or the workplace's /work/shared/data."""
    candidates = [Path(os.environ["VIDEOFILL_DATA"])] if os.environ.get("VIDEOFILL_DATA") else []
    candidates += [Path(__file__).resolve().parents[2] / "shared" / "data", Path("/work/shared/data")]
    return next((c for c in candidates if c.is_dir()), candidates[0])


DATA = _find_data()
TINY = DATA / "tiny_sam2-coffee_x_tennis"


def _read_case(case: Path) -> tuple[np.ndarray, np.ndarray]:
    frames = np.stack([cv2.imread(str(p))[..., ::-1] for p in sorted((case / "frames").glob("*.png"))])
    holes = np.stack([cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 127 for p in sorted((case / "masks").glob("*.png"))])
    return np.ascontiguousarray(frames), holes


@pytest.fixture(scope="session")
def tiny_case() -> tuple[np.ndarray, np.ndarray]:
    """(frames uint8 (12, 48, 96, 3), holes bool (12, 48, 96)) of the shared tiny case."""
    if not TINY.is_dir():
        pytest.skip(f"shared test data not found at {TINY}")
    return _read_case(TINY)


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    if not TINY.is_dir():
        pytest.skip(f"shared test data not found at {TINY}")
    return TINY
