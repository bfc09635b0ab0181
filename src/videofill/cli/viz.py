"""``videofill viz``: flow colour videos, temporal-slice figures, side-by-side videos (:mod:`videofill.viz.videos`)."""

from __future__ import annotations

import argparse

from videofill.cli.common import HelpFormatter


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
    from videofill.viz.videos import flow_video, side_by_side_video, slice_figure_file

    if args.kind == "slice":
        slice_figure_file(args.inputs, args.output, row=args.row, masks=args.masks)
    elif args.kind == "flow":
        flow_video(args.inputs[0], args.output, overwrite=args.overwrite)
    elif args.kind == "side-by-side":
        side_by_side_video(args.inputs, args.output, masks=args.masks, overwrite=args.overwrite)
    print(f"wrote {args.output}")
    return 0
