"""``videofill track`` (masks for every frame from a few marks) and ``videofill eval-masks`` (J and F of masks)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from videofill.cli.common import HelpFormatter, add_marks, mark_texts, say
from videofill.errors import VideofillError


def add_track(commands) -> None:
    p = commands.add_parser("track", help="masks for every frame from a few marks (the object is tracked)", formatter_class=HelpFormatter,
                            description="Track an object through a video from a few marks on one or a few frames, with no "
                            "pretrained weights, and write its masks (255 = object) as PNGs that `videofill inpaint` reads.")
    p.add_argument("input", help="video file or folder of frames")
    p.add_argument("-o", "--output", required=True, metavar="MASKS_OUT", help="folder of PNG masks to write (00000.png, ...)")
    add_marks(p)
    p.add_argument("--dilate", type=int, default=0, help="grow every tracked mask by N pixels")
    p.add_argument("--preview", default=None, help="also write the video with the tracked mask tinted and outlined (.mp4 or a folder)")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(run=cmd_track)


def cmd_track(args: argparse.Namespace) -> int:
    from videofill.track.files import track_file

    marks = mark_texts(args)
    if not marks:
        raise VideofillError("no marks: give at least one --key, --box or --points")
    folder = track_file(args.input, marks, args.output, dilate=args.dilate, preview=args.preview,
                        overwrite=args.overwrite, progress=not args.quiet)
    say(args, f"wrote {folder}" + (f" and {args.preview}" if args.preview else ""))
    return 0


def add_eval_masks(commands) -> None:
    p = commands.add_parser("eval-masks", help="score tracked masks against true ones (DAVIS J and F)", formatter_class=HelpFormatter)
    p.add_argument("pred", help="predicted masks (folder, video or image; non-zero = object)")
    p.add_argument("truth", help="true masks")
    p.add_argument("--json", default=None, help="also write the report (per-frame J and F) as JSON here")
    p.set_defaults(run=cmd_eval_masks)


def cmd_eval_masks(args: argparse.Namespace) -> int:
    from videofill.io.masks import read_masks
    from videofill.io.video import probe
    from videofill.track.scores import mask_scores

    info = probe(args.truth)  # a mask folder or a mask video (PNG masks: a folder of frames)
    truth = read_masks(args.truth, info.frame_count, (info.width, info.height))
    pred = read_masks(args.pred, info.frame_count, (info.width, info.height))
    report = mask_scores(pred, truth)
    print(f"J (region IoU)          {report['J_mean']:.4f}\nF (boundary F-measure)  {report['F_mean']:.4f}\n"
          f"J&F                     {report['JF_mean']:.4f}\nframes scored           {len(report['frames'])} of "
          f"{info.frame_count} (the first and the last are left out, as in DAVIS)")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=float) + "\n")
    return 0
