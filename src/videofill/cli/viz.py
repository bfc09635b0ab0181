"""``videofill viz``: flow colour videos, temporal-slice figures and side-by-side videos (:mod:`videofill.viz`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from videofill.cli.common import HelpFormatter
from videofill.errors import VideofillError


def add_viz(commands) -> None:
    p = commands.add_parser("viz", help="visualisations: flow maps, temporal slices, side-by-side videos", formatter_class=HelpFormatter)
    p.add_argument("kind", choices=["flow", "slice", "side-by-side"], help="what to draw")
    p.add_argument("inputs", nargs="+", help="videos or frame folders (slice, side-by-side: several; flow: one)")
    p.add_argument("-o", "--output", required=True, help="image (slice) or video/folder (flow, side-by-side)")
    p.add_argument("--masks", default=None, help="masks: outlined on the first input (side-by-side)")
    p.add_argument("--row", type=int, default=None, help="image row of the temporal slice (default: the middle)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.set_defaults(run=cmd_viz)


def cmd_viz(args: argparse.Namespace) -> int:
    from videofill import viz
    from videofill.io.masks import read_masks
    from videofill.io.video import probe, read_frames
    from videofill.io.writer import VideoWriter

    if args.kind == "slice":
        videos = {Path(p).stem or str(p): read_frames(p) for p in args.inputs}
        first = next(iter(videos.values()))
        row = args.row if args.row is not None else first.shape[1] // 2
        holes = read_masks(args.masks, len(first), (first.shape[2], first.shape[1])) if args.masks else None
        viz.save_image(args.output, viz.temporal_slice_figure(videos, row, holes))
    elif args.kind == "flow":
        import numpy as np

        from videofill.fill.flow import estimate_flow

        frames = read_frames(args.inputs[0])
        colours = [viz.flow_to_color(estimate_flow(a, b)) for a, b in zip(frames[:-1], frames[1:])]
        with VideoWriter(args.output, probe(args.inputs[0]).fps, overwrite=args.overwrite) as writer:
            for image in colours:
                writer.write(np.ascontiguousarray(image))
    elif args.kind == "side-by-side":
        videos = [read_frames(p) for p in args.inputs]
        lengths = {len(v) for v in videos}
        heights = {v.shape[1] for v in videos}
        if len(lengths) > 1 or len(heights) > 1:
            found = ", ".join(f"{p}: {len(v)} frames of height {v.shape[1]}" for p, v in zip(args.inputs, videos))
            raise VideofillError(f"side-by-side needs videos of one length and height; got {found}")
        if args.masks:
            holes = read_masks(args.masks, len(videos[0]), (videos[0].shape[2], videos[0].shape[1]))
            videos[0] = viz.outline_holes(videos[0], holes)
        labels = [Path(p).stem for p in args.inputs]
        with VideoWriter(args.output, probe(args.inputs[0]).fps, overwrite=args.overwrite) as writer:
            for frame in viz.side_by_side(videos, labels):
                writer.write(frame)
    print(f"wrote {args.output}")
    return 0
