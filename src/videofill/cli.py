"""The ``videofill`` command: inpaint, eval, compose, viz, sample.

The command line only maps flags onto the library: files are read with ``video_io``/``masks``, the work is done by
``pipeline``/``metrics``/``viz``/``compose``, and results are written atomically. Any VideofillError (bad input) is
printed as one line and the command exits with status 2, leaving nothing at the output path.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

from videofill.config import METHODS, PRESETS, InpaintConfig, get_preset
from videofill.errors import VideofillError
from videofill.stream import DEFAULT_OVERLAP, DEFAULT_WINDOW

from . import __version__


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH such as 384x192, got {text!r}") from None
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return width, height


def config_path_for(output: Path) -> Path:
    """Where the resolved configuration of a run goes: beside the output, ``<output>.config.json``."""
    return output.with_name(output.name + ".config.json")


def run_dir_for(output: Path) -> Path:
    """Where a run keeps its checkpoints until it finishes: beside the output, ``<output>.checkpoint/``."""
    return output.with_name(output.name + ".checkpoint")


def check_output_path(output: Path, overwrite: bool) -> None:
    """Refuse an output we could not write, before any work is done."""
    parent = output.absolute().parent
    if not parent.is_dir():
        raise VideofillError(f"output folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise VideofillError(f"output folder {parent} is not writable")
    if output.exists() and not overwrite:
        raise VideofillError(f"{output} already exists; pass --overwrite to replace it")


def resolve_config(args: argparse.Namespace) -> InpaintConfig:
    """The preset named by --preset with the flags the user set laid over it."""
    config = get_preset(args.preset)
    if args.method is not None and args.method not in METHODS:
        raise VideofillError(f"unknown method {args.method!r}; choose one of {', '.join(METHODS)}")
    return config.replace(
        method=args.method,
        device=args.device,
        seed=args.seed,
        dilate=args.dilate,
        size=args.size,
        max_side=args.max_side,
        vgg_weights=args.vgg_weights,
        steps_per_batch=args.steps_per_batch,
        epochs=args.epochs,
        max_steps=args.max_steps,
        feather=args.feather,
    )


def cmd_inpaint(args: argparse.Namespace) -> int:
    from itertools import islice

    import numpy as np

    from videofill.io.masks import iter_masks
    from videofill.io.timecode import frame_range
    from videofill.io.video import iter_frames, probe
    from videofill.io.writer import VideoWriter
    from videofill.pipeline import resolve_device
    from videofill.stream import SequentialFrames, inpaint_stream

    output = Path(args.output)
    config = resolve_config(args)
    resolve_device(config.device)
    check_output_path(output, args.overwrite)
    info = probe(args.input)
    start, end = frame_range(args.start, args.end, info.frame_count, info.fps)

    # masks are indexed by absolute frame number and decoded once, front to back, like the frames
    masks = iter_masks(args.masks, end - start, (info.width, info.height), start=start, total=info.frame_count)
    read_holes = SequentialFrames(masks, first=start)
    read_holes(start, start + 1)  # a wrong mask source fails now, before any frame is written
    run_dir = run_dir_for(output)
    # --save-progress follows the first window's network (Fig. 8 is about one training run)
    saver = _progress_saver(args, config, np.broadcast_to(np.uint8(0), (1, info.height, info.width, 3)))
    if args.resume and not run_dir.is_dir():
        _say(args, f"note: no checkpoint in {run_dir}; starting from the beginning")
    source = iter_frames(args.input)  # decoded once, front to back: memory does not grow with the clip's length
    audio = args.input if (not info.is_folder and info.has_audio) else None
    with VideoWriter(output, info.fps, crf=args.crf, lossless=args.lossless, audio_from=audio, overwrite=args.overwrite) as writer:
        for frame in islice(source, start):  # before --start: copied through
            writer.write(frame)
        notes = inpaint_stream(
            (start, end), SequentialFrames(source, first=writer.frame_count), read_holes, writer.write, config,
            window=args.window, overlap=args.overlap, run_dir=run_dir, resume=args.resume, progress=not args.quiet,
            checkpoint_seconds=args.checkpoint_seconds, log=lambda line: _say(args, line),
            step_hook=(lambda index, *_: saver if index == 0 else None) if saver is not None else None,
            on_result=(lambda index, result: saver.finish(result) if index == 0 else None) if saver is not None else None,
        )
        for frame in source:  # after --end: copied through
            writer.write(frame)
    if saver is not None:
        _say(args, f"training progress in {saver.folder}")
    for note in notes:
        _say(args, f"note: {note}")
    run = {**config.to_dict(), "frames": {"start": start, "end": end, "window": args.window, "overlap": args.overlap}}
    config_path_for(output).write_text(json.dumps(run, indent=2) + "\n")
    shutil.rmtree(run_dir, ignore_errors=True)
    _say(args, f"wrote {output} ({writer.frame_count} frames, {end - start} inpainted; config in {config_path_for(output).name})")
    return 0


def run_inpaint(args: argparse.Namespace) -> int:
    """``videofill inpaint``: :func:`cmd_inpaint`, leaving nothing behind when it fails on a bad input.

    Leftovers of a writer that was killed (SIGKILL, power cut) are deleted first. When a VideofillError stops the
    run, even one found after training began (a damaged frame late in the clip), the output's run folder is
    removed if this run created it; a run folder that was there before (``--resume``) is kept. Any other
    interruption (Ctrl-C, kill, a crash) keeps the run folder, so ``--resume`` can continue.
    """
    from videofill.io.atomic import remove_stale_partials

    output = Path(args.output)
    run_dir = run_dir_for(output)
    existed = run_dir.exists()
    remove_stale_partials(output)
    try:
        return cmd_inpaint(args)
    except VideofillError:
        if not existed:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise


def _progress_saver(args: argparse.Namespace, config: InpaintConfig, frames):
    """The --save-progress hook (None without the flag); DIP has no single network to show, so it gets a note."""
    if args.save_progress is None:
        return None
    if config.method == "dip":
        _say(args, "note: DIP trains one network per frame: --save-progress saves its final frames and losses only")
    from videofill.fill.prepare import working_size
    from videofill.fill.progress import ProgressSaver

    size = working_size(frames.shape[2], frames.shape[1], config)
    return ProgressSaver(
        args.save_progress, args.progress_every, window=config.batch_frames, size=size, autocast=config.bf16
    )


def cmd_eval(args: argparse.Namespace) -> int:
    from videofill.eval.metrics import evaluate, format_table
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
    from videofill.io.masks import read_masks
    from videofill.io.video import probe, read_frames
    from videofill.io.writer import VideoWriter

    from . import viz

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="videofill",
        description="Video inpainting by internal learning (Zhang et al., ICCV 2019). Masks: non-zero = hole.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"videofill {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    fmt = _HelpFormatter

    p = commands.add_parser("inpaint", help="fill the masked region of every frame", formatter_class=fmt)
    p.add_argument("input", help="video file (mp4, mov, mkv, avi) or folder of frames (png/jpg, sorted by name)")
    p.add_argument("masks", help="folder of per-frame masks, a mask video, or one image for every frame (non-zero = hole)")
    p.add_argument("-o", "--output", required=True, help="output .mp4/.mkv/.mov video, or any other path for a folder of PNG frames")
    p.add_argument("--preset", default="default", help=f"settings preset: {', '.join(PRESETS)} (default: default)")
    p.add_argument("--method", default=None, help=f"method: {', '.join(METHODS)} (default: the preset's, dip-vid-flow)")
    p.add_argument("--device", default=None, help="auto (CUDA when present), cpu or cuda (default: auto)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the preset's, 0)")
    p.add_argument("--dilate", type=int, default=None, help="grow each hole by N pixels (default: 0, as in the paper)")
    p.add_argument("--size", type=_size, default=None, help="working resolution WxH (default: aspect kept, see --max-side)")
    p.add_argument("--max-side", type=int, default=None, help="longer side of the working resolution (default: the preset's, 432)")
    p.add_argument("--vgg-weights", default=None, help="torchvision VGG16 weights for the perceptual loss (default: torch hub cache)")
    p.add_argument("--steps-per-batch", type=int, default=None, help="M: Adam steps per batch (default: the preset's)")
    p.add_argument("--epochs", type=float, default=None, help="E: sweeps over all batches (default: the preset's)")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many training steps in all (default: the preset's; the default preset's 0 trains nothing and returns the propagated fill)")
    p.add_argument("--feather", type=int, default=None, help="px of colour matching inside the hole's edge (default: the preset's)")
    p.add_argument("--crf", type=int, default=18, help="H.264 quality of video output (lower is better)")
    p.add_argument("--lossless", action="store_true", help="lossless video output (for evaluation)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint (OUTPUT.checkpoint/)")
    p.add_argument("--checkpoint-seconds", type=float, default=60.0, help="wall time between checkpoints")
    p.add_argument("--start", default="0", help="first frame to inpaint: a frame number (120) or a time (12.5s, 1:02.5, 00:01:02.5); earlier frames are copied through")
    p.add_argument("--end", default=None, help="inpaint up to this frame or time, exclusive (None: the end of the clip); later frames are copied through")
    p.add_argument("--window", type=int, default=DEFAULT_WINDOW, help="frames inpainted together; longer clips go in overlapping windows (0: the whole clip at once)")
    p.add_argument("--overlap", type=int, default=DEFAULT_OVERLAP, help="frames two windows share, cross-faded in the hole (at most half of --window)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or notes")
    p.add_argument("--save-progress", default=None, metavar="DIR", help="write generated frames (and flows) of 3 frames during training, and the loss curves, to DIR (Fig. 8)")
    p.add_argument("--progress-every", type=int, default=100, metavar="P", help="with --save-progress: save every P training steps")
    p.set_defaults(run=run_inpaint)

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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.simplefilter("default")
    try:
        return args.run(args)
    except VideofillError as err:
        print(f"videofill: error: {err}", file=sys.stderr)
        return VideofillError.exit_code
    except KeyboardInterrupt:
        print("videofill: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
