"""``videofill batch``: many inpainting jobs as Ray tasks (:func:`videofill.batch.run_batch`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from videofill.cli.common import HelpFormatter, say
from videofill.config import PRESETS


def add_batch(commands) -> None:
    p = commands.add_parser("batch", help="inpaint many videos (or one long one in windows) on Ray", formatter_class=HelpFormatter,
                            description="Run a batch of inpainting jobs as Ray tasks, here or on a Ray cluster. "
                            "Finished jobs are skipped; OUTDIR/summary.csv lists every job. Exit status 1 when a job failed.")
    p.add_argument("jobs", help="a .csv or .jsonl of jobs (input, masks, and optionally name, output, preset, start, end, "
                   "and settings such as dilate, max_side, window), or a folder of cases (sub-folders with frames/ and masks/)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the outputs and summary.csv")
    p.add_argument("--workers", type=int, default=None, help="tasks run at once (default: this machine's CPUs, or the cluster's with --address)")
    p.add_argument("--address", default=None, help="an existing Ray cluster: auto, HOST:6379 or ray://HOST:10001 (default: start Ray here)")
    p.add_argument("--retries", type=int, default=2, help="times a crashed or killed task is sent again (bad input is not retried)")
    p.add_argument("--split-windows", action="store_true", help="cut each video into its windows, inpaint them on different workers, merge (same result)")
    p.add_argument("--preset", default="default", help=f"settings preset of jobs that do not name one: {', '.join(PRESETS)}")
    p.add_argument("--window", type=int, default=None, help="frames per window for every job (default: the preset's)")
    p.add_argument("--overlap", type=int, default=None, help="frames two windows share (default: the preset's)")
    p.add_argument("--format", default="mp4", choices=["mp4", "mkv", "mov", "png"], help="output of jobs that do not name one: a video, or a folder of PNG frames")
    p.add_argument("--quiet", action="store_true", help="no progress bar or messages")
    p.set_defaults(run=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from videofill.batch import read_jobs, run_batch

    changes = {name: getattr(args, name) for name in ("window", "overlap") if getattr(args, name) is not None}
    ending = "" if args.format == "png" else f".{args.format}"
    jobs = read_jobs(args.jobs, args.output, preset=args.preset, changes=changes, ending=ending)
    reports = run_batch(jobs, args.output, workers=args.workers, address=args.address, retries=args.retries,
                        split_windows=args.split_windows, progress=not args.quiet, log=lambda line: say(args, line))
    counts = {status: sum(r.status == status for r in reports) for status in ("done", "skipped", "failed")}
    say(args, f"{counts['done']} done, {counts['skipped']} skipped (finished before), {counts['failed']} failed; "
               f"summary in {Path(args.output) / 'summary.csv'}")
    return 1 if counts["failed"] else 0
