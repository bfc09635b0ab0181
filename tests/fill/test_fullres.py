"""Full-resolution fill: copies sampled from the full-size frames, known pixels untouched, memory bounded."""

import tracemalloc

import cv2
import numpy as np

from videofill.config import get_preset
from videofill.fill.fullres import fill_full_resolution
from videofill.fill.motion import MotionModels
from videofill.fill.propagate import Propagation
from videofill.io.images import read_image, write_png
from videofill.io.masks import dilate_holes
from videofill.pipeline import inpaint_video


def _pan(count, width, height, speed, seed=0, blur=0.8):
    """A sharp texture (noise blurred by ``blur`` px) seen through a window moving right by ``speed`` px a frame."""
    rng = np.random.default_rng(seed)
    world = rng.integers(0, 256, (height, width + speed * count, 3), dtype=np.uint8)
    world = cv2.GaussianBlur(world, (0, 0), blur)
    return np.stack([world[:, speed * t : speed * t + width] for t in range(count)])


def test_a_pan_is_filled_with_the_full_resolution_pixels_not_an_upscaled_blur():
    truth = _pan(count=5, width=1280, height=720, speed=16, blur=1.2)
    holes = np.zeros(truth.shape[:3], bool)
    holes[:, 300:420, 500:560] = True  # a static hole: the pan shows what it covers in the neighbouring frames
    damaged = truth.copy()
    damaged[holes] = 0
    config = get_preset("default").replace(feather=0, dilate=0)
    result = inpaint_video(damaged, holes, config)
    assert result.generated.shape[1:3] == (243, 432)  # flows and models at the working size
    out, middle = result.frames, 2
    error = np.abs(out[middle].astype(float) - truth[middle])[holes[middle]].mean()
    upscaled = cv2.resize(cv2.resize(truth[middle], (432, 243), interpolation=cv2.INTER_AREA), (1280, 720), interpolation=cv2.INTER_CUBIC)
    blur_error = np.abs(upscaled.astype(float) - truth[middle])[holes[middle]].mean()
    print(f"mean absolute error {error:.2f}, of the upscaled working-size frame {blur_error:.2f}")
    assert error < 2.0  # within interpolation error of the frames that show the pixels (grey levels)
    assert error < blur_error / 4  # an upscaled working-size fill is far off on this texture
    np.testing.assert_array_equal(out[~holes], truth[~holes])


def test_known_pixels_are_bit_exact_at_full_resolution_through_png(tmp_path):
    truth = _pan(count=4, width=320, height=180, speed=5, seed=1)
    holes = np.zeros(truth.shape[:3], bool)
    holes[:, 60:100, 120:170] = True
    config = get_preset("default").replace(max_side=96)  # the working size is 96x54: the full-resolution path runs
    out = inpaint_video(truth, holes, config).frames
    holes = dilate_holes(holes, config.dilation(320, 180))  # the default grows the holes (2 px at 432 px: 1 px here)
    for t, frame in enumerate(out):
        write_png(tmp_path / f"{t:05d}.png", frame)
    back = np.stack([read_image(tmp_path / f"{t:05d}.png") for t in range(len(out))])
    np.testing.assert_array_equal(back[~holes], truth[~holes])


def _still_models(count, width, height, frames_small):
    """Motion models of a still camera at a working size (zero flows), for a direct call."""
    steps = np.zeros((count - 1, height, width, 2), np.float32)
    return MotionModels(steps, steps, steps, steps, frames_small, np.full(3, 127.5))


def test_a_4000x2000_frame_pair_is_filled_within_a_memory_bound():
    rng = np.random.default_rng(2)
    frames = np.repeat(rng.integers(0, 256, (1, 2000, 4000, 3), dtype=np.uint8), 2, axis=0)  # a still camera
    holes = np.zeros((2, 2000, 4000), bool)
    holes[0, 500:1300, 1000:2000] = True  # 800k hole pixels in frame 0; frame 1 shows them all
    frames[0][holes[0]] = 0  # whatever was there is not read
    small = (216, 432)
    working_holes = np.zeros((2, *small), bool)
    working_holes[0, 54:141, 108:216] = True
    low = np.zeros((2, *small, 3), np.uint8)
    propagation = Propagation(low, working_holes.copy(), working_holes.copy(), np.zeros((1, 3, 3)), _still_models(2, 432, 216, low))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = fill_full_resolution(frames, holes, propagation, working_holes, (432, 216), low, feather=3)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    inputs = frames.nbytes + holes.nbytes  # 50 MB; the result (frames, seen, trusted) takes as much again
    print(f"peak {peak / 1e6:.0f} MB")
    assert peak < 2 * inputs + 200e6, f"peak {peak / 1e6:.0f} MB"
    np.testing.assert_array_equal(result.frames[0][holes[0]], frames[1][holes[0]])  # copied exactly (no motion)
    np.testing.assert_array_equal(result.frames[1], frames[1])
    assert result.seen[0][holes[0]].all() and not result.seen[~holes].any()
