"""Test cases and scores: ``videofill eval`` (a result against the ground truth), ``videofill compose`` (a test
case from two clips) and ``videofill sample`` (the bundled clip with its masks and background)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from videofill.cli.common import HelpFormatter, parse_size


def add_eval(commands) -> None:
    p = commands.add_parser("eval", help="score a result against the ground truth (paper section 4)", formatter_class=HelpFormatter)
    p.add_argument("result", help="inpainted video or frame folder")
    p.add_argument("ground_truth", help="ground-truth video or frame folder")
    p.add_argument("masks", help="the masks the result was made with")
    p.add_argument("--json", default=None, help="also write the full report as JSON here")
    p.add_argument("--inception-weights", default=None, help="Inception weights for FID (default: torch hub cache)")
    p.add_argument("--no-fid", action="store_true", help="skip FID")
    p.set_defaults(run=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    from videofill.eval.report import evaluate, format_table
    from videofill.io.masks import read_masks
    from videofill.io.video import read_frames

    result = read_frames(args.result)
    truth = read_frames(args.ground_truth)
    holes = read_masks(args.masks, len(truth), (truth.shape[2], truth.shape[1]))
    # False skips FID; None looks in the torch hub cache; a path loads that file
    inception = False if args.no_fid else args.inception_weights
    report = evaluate(result, truth, holes, inception=inception)
    print(format_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def add_compose(commands) -> None:
    p = commands.add_parser("compose", help="build a composed test case: one video's frames, another's masks", formatter_class=HelpFormatter)
    p.add_argument("background", help="background video or frame folder (the ground truth)")
    p.add_argument("mask_source", help="mask folder, mask video or image from another clip")
    p.add_argument("-o", "--output", required=True, help="case folder to write (frames/, masks/, manifest.json)")
    p.add_argument("--frames", type=int, default=None, help="number of frames (default: the shorter of the two)")
    p.add_argument("--size", type=parse_size, default=None, help="resize both to WxH (default: the background's size)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing case folder")
    p.set_defaults(run=cmd_compose)


def cmd_compose(args: argparse.Namespace) -> int:
    from videofill.eval.compose import compose_case

    out = compose_case(args.background, args.mask_source, args.output, frame_count=args.frames, size=args.size, overwrite=args.overwrite)
    print(f"wrote {out}")
    return 0


def add_sample(commands) -> None:
    p = commands.add_parser("sample", help="write the small public-domain sample clip with its masks", formatter_class=HelpFormatter)
    p.add_argument("output", nargs="?", default="sample", help="folder to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing sample folder")
    p.set_defaults(run=cmd_sample)


def cmd_sample(args: argparse.Namespace) -> int:
    from videofill.sample import make_sample

    sample = make_sample(args.output, overwrite=args.overwrite)
    print(f"wrote the sample to {sample.folder}: {sample.input.name} (the clip), {sample.frames.name}/ (the same frames, "
          f"lossless), {sample.masks.name}/ (255 = hole), {sample.ground_truth.name}/ (the clean background), "
          f"{sample.readme.name} (source and licence)")
    return 0
