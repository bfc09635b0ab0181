"""Tests of videofill.viz.canvas: saving an image."""

import cv2
import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.viz.canvas import save_image


def test_save_image_round_trip(tmp_path):
    image = np.random.default_rng(2).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    path = save_image(tmp_path / "a" / "x.png", image)
    assert np.array_equal(cv2.imread(str(path))[..., ::-1], image)  # RGB kept
    with pytest.raises(VideofillError):
        save_image(tmp_path / "x.unknown-format", image)
