"""The ``videofill`` command: inpaint, eval, compose, viz, sample.

The command line only parses flags and calls the library (:func:`videofill.files.inpaint_file`,
:func:`videofill.eval.report.evaluate`, ...). Any VideofillError (bad input) is printed as one line and the command
exits with status 2, leaving nothing at the output path. Notes (warnings the library issues) are printed once each,
as ``videofill: note: ...``; ``--quiet`` silences them. Parsing and ``--help`` do not import torch.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import warnings
from pathlib import Path

from videofill import __version__
from videofill.config import METHODS, PRESETS, InpaintConfig, get_preset
from videofill.errors import VideofillError

#: inpaint flags that map one to one onto InpaintConfig fields (flag dest -> field); unset flags keep the preset's.
CONFIG_FLAGS = (
    "quality", "method", "device", "seed", "dilate", "size", "max_side", "vgg_weights", "steps_per_batch", "epochs", "max_steps",
    "unseen_steps", "feather", "crf", "window", "overlap", "checkpoint_seconds", "progress_every",
)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH such as 384x192, got {text!r}") from None
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return width, height


def resolve_config(args: argparse.Namespace, record: dict | None = None) -> InpaintConfig:
    """The base configuration (``--config`` record, else the ``--preset``) with the flags the user set laid over it."""
    if record is not None:
        config = InpaintConfig.from_dict(record.get("config", record))
    else:
        config = get_preset(args.preset)
    if args.method is not None and args.method not in METHODS:
        raise VideofillError(f"unknown --method {args.method!r}; choose one of {', '.join(METHODS)}")
    changes = {name: getattr(args, name) for name in CONFIG_FLAGS if getattr(args, name) is not None}
    if args.dilate is not None:
        changes["dilate_side"] = None  # a dilation the user gives is in the input's own pixels, not scaled
    if args.lossless:
        changes["lossless"] = True
    return config.replace(**changes)


def _read_record(path: str) -> dict:
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise VideofillError(f"cannot read --config {path}: {err.__class__.__name__}") from None
    if not isinstance(record, dict):
        raise VideofillError(f"--config {path} is not a videofill configuration or run record")
    return record


def cmd_inpaint(args: argparse.Namespace) -> int:
    from videofill.files import inpaint_file

    record = _read_record(args.config) if args.config else None
    recorded = record or {}
    frames = recorded.get("frames", {})
    input_path = args.input or recorded.get("input")
    masks = args.masks or recorded.get("masks")
    if isinstance(masks, dict):  # a run that tracked marks: its record names the marks, not a mask source
        masks = None if _mark_texts(args) or args.masks else masks
        if masks is not None:
            raise VideofillError("that run tracked its masks from marks; give the marks (--key, --box, --points) again")
    output = args.output or recorded.get("output")
    marks = _mark_texts(args)
    if marks and args.masks:
        raise VideofillError("give either MASKS or marks (--key, --box, --points), not both")
    if marks:
        masks = marks
    missing = [name for name, value in (("INPUT", input_path), ("MASKS", masks), ("-o OUTPUT", output)) if not value]
    if missing:
        raise VideofillError(f"missing {', '.join(missing)} (give them, or --config with a run record that has them)")
    config = resolve_config(args, record)
    result = inpaint_file(
        input_path, masks, output, config,
        start=args.start if args.start is not None else frames.get("start"),
        end=args.end if args.end is not None else frames.get("end"),
        overwrite=args.overwrite, resume=args.resume, progress=not args.quiet, log=lambda line: _say(args, line),
        save_progress=args.save_progress,
    )
    for note in result.notes:
        _say(args, f"note: {note}")
    first, last = result.inpainted
    filled = "nothing to fill" if any(n.startswith("the masks are empty") for n in result.notes) else f"frames {first}..{last - 1} inpainted"
    _say(args, f"wrote {result.output} ({result.frame_count} frames, {filled}; run record in {result.record.name})")
    return 0


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


def cmd_compose(args: argparse.Namespace) -> int:
    from videofill.eval.compose import compose_case

    out = compose_case(args.background, args.mask_source, args.output, frame_count=args.frames, size=args.size, overwrite=args.overwrite)
    print(f"wrote {out}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from videofill.sample import make_sample

    sample = make_sample(args.output, overwrite=args.overwrite)
    print(f"wrote the sample to {sample.folder}: {sample.input.name} (the clip), {sample.masks.name}/ (255 = hole), "
          f"{sample.ground_truth.name}/ (the clean background), {sample.readme.name} (source and licence)")
    return 0


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


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: X)" to a flag's help only when the help does not already say its default and X means something."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


def _add_inpaint(commands, fmt) -> None:
    defaults = InpaintConfig()  # the help shows the default preset's values, read from the one place they live
    preset = get_preset("default")
    p = commands.add_parser("inpaint", help="fill the masked region of every frame", formatter_class=fmt,
                            description="Fill the masked region of every frame of a video. Masks: non-zero = hole.")
    files = p.add_argument_group("input and output")
    files.add_argument("input", nargs="?", help="video file (mp4, mov, mkv, avi, webm) or folder of frames (png/jpg, sorted by name)")
    files.add_argument("masks", nargs="?", help="folder of per-frame masks, a mask video, or one image for every frame (non-zero = hole)")
    files.add_argument("-o", "--output", help="output .mp4/.mkv/.mov video, or a path without a file ending for a folder of PNG frames")
    _add_marks(files, "instead of MASKS: ")
    files.add_argument("--config", metavar="FILE", help="rerun a run record (OUTPUT.config.json) or a saved configuration; flags given here override it")
    files.add_argument("--overwrite", action="store_true", help="replace an existing output")
    files.add_argument("--start", default=None, help="first frame to inpaint: a frame number (120) or a time (12.5s, 1:02.5); earlier frames are copied through (default: 0)")
    files.add_argument("--end", default=None, help="inpaint up to this frame or time, exclusive; later frames are copied through (default: the end)")
    method = p.add_argument_group("method")
    method.add_argument("--preset", default="default", help=f"settings preset: {', '.join(PRESETS)} (default: default)")
    method.add_argument("--quality", choices=("fast", "best"), default=None, help=f"fast: propagation alone (seconds); best: also synthesise what no frame shows from the video's texture (minutes) (default: {preset.quality})")
    method.add_argument("--unseen-steps", type=int, default=None, help=f"with --quality best under a static camera: steps of the network trained on the background to fill what no frame shows, 0 for patches and diffusion only (default: {preset.unseen_steps})")
    method.add_argument("--method", default=None, help=f"network method when one is trained: {', '.join(METHODS)} (default: {preset.method})")
    method.add_argument("--max-steps", type=int, default=None, help="training steps in all; the default preset's 0 trains no network and returns the propagated fill (default: the preset's)")
    method.add_argument("--dilate", type=int, default=None, help=f"grow each hole by N pixels of the input (default: {preset.dilate}" + (f" px per {preset.dilate_side} px of the input's long side" if preset.dilate_side else "") + ")")
    method.add_argument("--size", type=_size, default=None, help="working resolution WxH of flows and networks (default: aspect kept, see --max-side)")
    method.add_argument("--max-side", type=int, default=None, help=f"longer side of the working resolution of flows and networks (default: {preset.max_side}); propagation then copies pixels at the input's own resolution, the network methods' fill is resized to it")
    method.add_argument("--feather", type=int, default=None, help=f"px of colour matching inside the hole's edge (default: {preset.feather})")
    method.add_argument("--steps-per-batch", type=int, default=None, help="M: Adam steps per batch (default: the preset's)")
    method.add_argument("--epochs", type=float, default=None, help="E: sweeps over all batches (default: the preset's)")
    method.add_argument("--vgg-weights", default=None, help="torchvision VGG16 weights for the perceptual loss (default: the torch hub cache)")
    method.add_argument("--seed", type=int, default=None, help=f"random seed (default: {defaults.seed})")
    method.add_argument("--device", default=None, help="auto (CUDA when present), cpu or cuda (default: auto)")
    quality = p.add_argument_group("output quality")
    quality.add_argument("--crf", type=int, default=None, help=f"H.264 quality of video output, 0-51, lower is better (default: {defaults.crf})")
    quality.add_argument("--lossless", action="store_true", help="lossless RGB video output (for evaluation)")
    run = p.add_argument_group("long clips and runs")
    run.add_argument("--window", type=int, default=None, help=f"frames inpainted together; longer clips go in overlapping windows; 0: all at once (default: {defaults.window})")
    run.add_argument("--overlap", type=int, default=None, help=f"frames two windows share, cross-faded in the hole (default: {defaults.overlap})")
    run.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint (OUTPUT.checkpoint/)")
    run.add_argument("--checkpoint-seconds", type=float, default=None, help=f"wall time between checkpoints; Ctrl-C and SIGTERM save one too (default: {defaults.checkpoint_seconds:g})")
    run.add_argument("--save-progress", default=None, metavar="DIR", help="write generated frames (and flows) of 3 frames during training, and the loss curves, to DIR (Fig. 8)")
    run.add_argument("--progress-every", type=int, default=None, metavar="P", help=f"with --save-progress: save every P training steps (default: {defaults.progress_every})")
    run.add_argument("--quiet", action="store_true", help="no progress bars or notes")
    p.set_defaults(run=cmd_inpaint)


def _add_batch(commands, fmt) -> None:
    p = commands.add_parser("batch", help="inpaint many videos (or one long one in windows) on Ray", formatter_class=fmt,
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
                        split_windows=args.split_windows, progress=not args.quiet, log=lambda line: _say(args, line))
    counts = {status: sum(r.status == status for r in reports) for status in ("done", "skipped", "failed")}
    _say(args, f"{counts['done']} done, {counts['skipped']} skipped (finished before), {counts['failed']} failed; "
               f"summary in {Path(args.output) / 'summary.csv'}")
    return 1 if counts["failed"] else 0


def _add_marks(group, prefix: str = "") -> None:
    """--key/--box/--points, each repeatable: FRAME is a frame number (12) or a time (2.5s)."""
    group.add_argument("--key", action="append", default=[], metavar="FRAME=MASK", help=f"{prefix}a whole mask of the object on a frame (non-zero = object)")
    group.add_argument("--box", action="append", default=[], metavar="FRAME=X0,Y0,X1,Y1", help=f"{prefix}a box around the object on a frame (pixels)")
    group.add_argument("--points", action="append", default=[], metavar="FRAME=X,Y[,X,Y...]", help=f"{prefix}pixels on the object on a frame")


def _mark_texts(args: argparse.Namespace) -> list:
    from videofill.track.files import MarkText

    return [MarkText(kind, text) for kind in ("key", "box", "points") for text in getattr(args, kind, [])]


def _add_track(commands, fmt) -> None:
    p = commands.add_parser("track", help="masks for every frame from a few marks (the object is tracked)", formatter_class=fmt,
                            description="Track an object through a video from a few marks on one or a few frames, with no "
                            "pretrained weights, and write its masks (255 = object) as PNGs that `videofill inpaint` reads.")
    p.add_argument("input", help="video file or folder of frames")
    p.add_argument("-o", "--output", required=True, metavar="MASKS_OUT", help="folder of PNG masks to write (00000.png, ...)")
    _add_marks(p)
    p.add_argument("--dilate", type=int, default=0, help="grow every tracked mask by N pixels")
    p.add_argument("--preview", default=None, help="also write the video with the tracked mask tinted and outlined (.mp4 or a folder)")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(run=cmd_track)


def cmd_track(args: argparse.Namespace) -> int:
    from videofill.track.files import track_file

    marks = _mark_texts(args)
    if not marks:
        raise VideofillError("no marks: give at least one --key, --box or --points")
    folder = track_file(args.input, marks, args.output, dilate=args.dilate, preview=args.preview,
                        overwrite=args.overwrite, progress=not args.quiet)
    _say(args, f"wrote {folder}" + (f" and {args.preview}" if args.preview else ""))
    return 0


def _add_eval_masks(commands, fmt) -> None:
    p = commands.add_parser("eval-masks", help="score tracked masks against true ones (DAVIS J and F)", formatter_class=fmt)
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


def _add_app(commands, fmt) -> None:
    p = commands.add_parser("app", help="the web app: open a video, mark the object, inpaint (needs videofill[app])",
                            formatter_class=fmt)
    p.add_argument("--host", default="127.0.0.1", help="address to bind; 127.0.0.1 serves this machine only")
    p.add_argument("--port", type=int, default=7860, help="TCP port")
    p.add_argument("--max-upload-mb", type=float, default=500, help="largest video upload, in MB")
    p.set_defaults(run=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise VideofillError(f"--port must be 1..65535, got {args.port}")
    if args.max_upload_mb <= 0:
        raise VideofillError(f"--max-upload-mb must be positive, got {args.max_upload_mb}")
    try:
        import gradio  # noqa: F401
    except ImportError as err:
        raise VideofillError("the app needs Gradio: pip install 'videofill[app]'") from err
    from videofill.app.server import serve

    serve(args.host, args.port, args.max_upload_mb)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="videofill",
        description="Video inpainting by internal learning (Zhang et al., ICCV 2019). Masks: non-zero = hole.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"videofill {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    fmt = _HelpFormatter
    _add_inpaint(commands, fmt)
    _add_track(commands, fmt)
    _add_eval_masks(commands, fmt)
    _add_batch(commands, fmt)

    _add_app(commands, fmt)

    p = commands.add_parser("eval", help="score a result against the ground truth (paper section 4)", formatter_class=fmt)
    p.add_argument("result", help="inpainted video or frame folder")
    p.add_argument("ground_truth", help="ground-truth video or frame folder")
    p.add_argument("masks", help="the masks the result was made with")
    p.add_argument("--json", default=None, help="also write the full report as JSON here")
    p.add_argument("--inception-weights", default=None, help="Inception weights for FID (default: torch hub cache)")
    p.add_argument("--no-fid", action="store_true", help="skip FID")
    p.set_defaults(run=cmd_eval)

    p = commands.add_parser("compose", help="build a composed test case: one video's frames, another's masks", formatter_class=fmt)
    p.add_argument("background", help="background video or frame folder (the ground truth)")
    p.add_argument("mask_source", help="mask folder, mask video or image from another clip")
    p.add_argument("-o", "--output", required=True, help="case folder to write (frames/, masks/, manifest.json)")
    p.add_argument("--frames", type=int, default=None, help="number of frames (default: the shorter of the two)")
    p.add_argument("--size", type=_size, default=None, help="resize both to WxH (default: the background's size)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing case folder")
    p.set_defaults(run=cmd_compose)

    p = commands.add_parser("viz", help="visualisations: flow maps, temporal slices, side-by-side videos", formatter_class=fmt)
    p.add_argument("kind", choices=["flow", "slice", "side-by-side"], help="what to draw")
    p.add_argument("inputs", nargs="+", help="videos or frame folders (slice, side-by-side: several; flow: one)")
    p.add_argument("-o", "--output", required=True, help="image (slice) or video/folder (flow, side-by-side)")
    p.add_argument("--masks", default=None, help="masks: outlined on the first input (side-by-side)")
    p.add_argument("--row", type=int, default=None, help="image row of the temporal slice (default: the middle)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.set_defaults(run=cmd_viz)

    p = commands.add_parser("sample", help="write the small public-domain sample clip with its masks", formatter_class=fmt)
    p.add_argument("output", nargs="?", default="sample", help="folder to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing sample folder")
    p.set_defaults(run=cmd_sample)
    return parser


def _print_notes(args: argparse.Namespace):
    """A ``warnings.showwarning`` that prints each note once as ``videofill: note: ...`` (nothing with --quiet)."""
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = str(message)
        if text in seen or getattr(args, "quiet", False):
            return
        seen.add(text)
        print(f"videofill: note: {text}", file=sys.stderr)

    return show


def _stop_on_sigterm(number, _frame) -> None:
    raise KeyboardInterrupt(f"signal {number}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.simplefilter("always")
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)  # like Ctrl-C: training saves a checkpoint first
    shown = warnings.showwarning
    warnings.showwarning = _print_notes(args)
    try:
        return args.run(args)
    except VideofillError as err:
        print(f"videofill: error: {err}", file=sys.stderr)
        return VideofillError.exit_code
    except KeyboardInterrupt:
        hint = " (run the same command with --resume to continue)" if getattr(args, "command", None) == "inpaint" else ""
        print(f"videofill: interrupted{hint}", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        warnings.showwarning = shown


if __name__ == "__main__":
    sys.exit(main())
