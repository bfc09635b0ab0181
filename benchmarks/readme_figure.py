"""The README's pictures, made from the bundled sample (redistributable): what videofill does, at a glance.

Writes docs/sample_result.png (one frame: input with the hole outlined, Telea frame by frame, videofill's default,
the ground truth) and docs/sample_slice.png (temporal slices of the same, paper Fig. 5), and prints the scores.

Run from the repository root:  .venv/bin/python benchmarks/readme_figure.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, command_line  # noqa: E402

from videofill import inpaint  # noqa: E402
from videofill.masks import read_masks  # noqa: E402
from videofill.metrics import evaluate, telea_fill  # noqa: E402
from videofill.sample import make_sample  # noqa: E402
from videofill.video_io import read_frames  # noqa: E402
from videofill.viz import comparison_figure, outline_holes, save_image, temporal_slice_figure  # noqa: E402


def main() -> None:
    out = REPO / "docs"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sample = make_sample(Path(tmp) / "sample")
        frames = read_frames(sample.frames)
        truth = read_frames(sample.ground_truth)
        holes = read_masks(sample.masks, len(frames), (frames.shape[2], frames.shape[1]))
    ours = inpaint(frames, holes)
    telea = telea_fill(frames, holes)
    middle = len(frames) // 2
    figure = comparison_figure(
        {
            "input (hole outlined)": outline_holes(frames[middle : middle + 1], holes[middle : middle + 1])[0],
            "Telea, frame by frame": telea[middle],
            "videofill (default)": ours[middle],
            "ground truth": truth[middle],
        },
        columns=2,
    )
    save_image(out / "sample_result.png", figure)
    row = int(np.argmax(holes.sum(axis=(0, 2))))  # the row the hole covers most
    videos = {"input": frames, "Telea": telea, "videofill": ours, "ground truth": truth}
    save_image(out / "sample_slice.png", temporal_slice_figure(videos, row, holes))
    for name, video in (("Telea", telea), ("videofill default", ours)):
        report = evaluate(video, truth, holes, inception=False)
        print(f"{name}: PSNR {report['psnr']:.2f} dB full frame, {report['psnr_hole']:.2f} dB in the hole, "
              f"SSIM {report['ssim']:.4f}, consistency {report['consistency_psnr']:.2f} dB")
    print(f"wrote {out / 'sample_result.png'} and {out / 'sample_slice.png'} ({command_line()})")


if __name__ == "__main__":
    main()
