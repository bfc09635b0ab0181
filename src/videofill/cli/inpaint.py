"""``videofill inpaint``: the flags, the configuration they and a run record make, and the call to inpaint_file."""

from __future__ import annotations

import argparse

from videofill.cli.common import HelpFormatter, add_marks, mark_texts, parse_size, say
from videofill.config import METHODS, PRESETS, SPATIAL_FILLS, UNSEEN_FILLERS, InpaintConfig, get_preset, read_record
from videofill.errors import VideofillError

#: inpaint flags that map one to one onto InpaintConfig fields (flag dest -> field); unset flags keep the preset's.
CONFIG_FLAGS = (
    "quality", "method", "device", "seed", "dilate", "size", "max_side", "vgg_weights", "steps_per_batch", "epochs", "max_steps",
    "unseen_steps", "unseen_runs", "unseen_filler", "spatial_fill", "hold_still_holes", "combine", "feather", "crf", "window", "overlap", "checkpoint_seconds", "progress_every",
)


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


def add_inpaint(commands) -> None:
    defaults = InpaintConfig()  # the help shows the default preset's values, read from the one place they live
    preset = get_preset("default")
    p = commands.add_parser("inpaint", help="fill the masked region of every frame", formatter_class=HelpFormatter,
                            description="Fill the masked region of every frame of a video. Masks: non-zero = hole.")
    files = p.add_argument_group("input and output")
    files.add_argument("input", nargs="?", help="video file (mp4, mov, mkv, avi, webm) or folder of frames (png/jpg, sorted by name)")
    files.add_argument("masks", nargs="?", help="folder of per-frame masks, a mask video, or one image for every frame (non-zero = hole)")
    files.add_argument("-o", "--output", help="output .mp4/.mkv/.mov video, or a path without a file ending for a folder of PNG frames")
    add_marks(files, "instead of MASKS: ")
    files.add_argument("--config", metavar="FILE", help="rerun a run record (OUTPUT.config.json) or a saved configuration; flags given here override it")
    files.add_argument("--overwrite", action="store_true", help="replace an existing output")
    files.add_argument("--start", default=None, help="first frame to inpaint: a frame number (120) or a time (12.5s, 1:02.5); earlier frames are copied through (default: 0)")
    files.add_argument("--end", default=None, help="inpaint up to this frame or time, exclusive; later frames are copied through (default: the end)")
    method = p.add_argument_group("method")
    method.add_argument("--preset", default="default", help=f"settings preset: {', '.join(PRESETS)} (default: default)")
    method.add_argument("--quality", default=None, help=f"fast: propagation alone (seconds); best: also synthesise what no frame shows from the video's texture (minutes) (default: {preset.quality})")
    method.add_argument("--unseen-steps", type=int, default=None, help=f"with --quality best under a static camera: steps of each network trained on the background to fill what no frame shows, 0 for patches, exemplar and diffusion only (default: {preset.unseen_steps})")
    method.add_argument("--unseen-filler", default=None, help=f"with --quality best: what fills what no frame shows: auto (static camera: of the network, its hedge with diffusion and exemplar copies guided by diffusion or by the hedge, the one with the lowest error on copies of the hole moved onto known pixels among those that keep texture there; patches, exemplar or diffusion without the network), or one of {', '.join(UNSEEN_FILLERS[1:])}, forced; exemplar copies whole patches of the background in, edges first (try it on a person who never moves away); under a moving camera only patches synthesise (default: {preset.unseen_filler})")
    method.add_argument("--unseen-runs", type=int, default=None, help=f"with --quality best under a static camera: networks trained with successive seeds, their fills averaged (steadier than one; each costs --unseen-steps) (default: {preset.unseen_runs})")
    method.add_argument("--spatial-fill", default=None, help=f"each frame's own fill of a hole pixel that no other frame shows (and the last vote where the copies disagree): one of {', '.join(map(repr, SPATIAL_FILLS))} (quote the names with a space); auto takes the one of the three smooth fills that measures best on trial copies of this clip's holes (about 0.13 dB closer than the membrane on the composed cases, up to about 50 %% more CPU time); membrane was the default on 2026-11-30, telea before (default: {preset.spatial_fill})")
    method.add_argument("--hold-still-holes", action=argparse.BooleanOptionalAction, default=None, help=f"under a static camera, what no frame shows of a hole that stays put (a logo, a watermark) takes the spatial fill (with --quality best, the synthesis), never copies carried in by the motion around the hole (a hand passing by a watermark); --no-hold-still-holes keeps the copies, as fast did before 2026-12-01 (try it where something moves through a fixed logo) (default: {'on' if preset.hold_still_holes else 'off'})")
    method.add_argument("--combine", default=None, help=f"how a hole pixel's copies from other frames are combined: median (smoothest, best PSNR), one (one copy per region: a moving object comes back solid instead of a half-transparent ghost, sharpest, about 0.8 dB lower PSNR on the composed cases), agree (one copy where the copies agree, the median where they do not: between the two) or auto (median with --quality fast, agree with best) (default: {preset.combine})")
    method.add_argument("--method", default=None, help=f"network method when one is trained: {', '.join(METHODS)} (default: {preset.method})")
    method.add_argument("--max-steps", type=int, default=None, help="training steps in all; the default preset's 0 trains no network and returns the propagated fill (default: the preset's)")
    method.add_argument("--dilate", type=int, default=None, help=f"grow each hole by N pixels of the input (default: {preset.dilate}" + (f" px per {preset.dilate_side} px of the input's long side" if preset.dilate_side else "") + ")")
    method.add_argument("--size", type=parse_size, default=None, help="working resolution WxH of flows and networks (default: aspect kept, see --max-side)")
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


def cmd_inpaint(args: argparse.Namespace) -> int:
    from videofill.files import inpaint_file

    record = read_record(args.config) if args.config else None
    recorded = record or {}
    frames = recorded.get("frames", {})
    input_path = args.input or recorded.get("input")
    masks = args.masks or recorded.get("masks")
    if isinstance(masks, dict):  # a run that tracked marks: its record names the marks, not a mask source
        masks = None if mark_texts(args) or args.masks else masks
        if masks is not None:
            raise VideofillError("that run tracked its masks from marks; give the marks (--key, --box, --points) again")
    output = args.output or recorded.get("output")
    marks = mark_texts(args)
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
        overwrite=args.overwrite, resume=args.resume, progress=not args.quiet, log=lambda line: say(args, line),
        save_progress=args.save_progress,
    )
    for note in result.notes:
        say(args, f"note: {note}")
    first, last = result.inpainted
    filled = "nothing to fill" if any(n.startswith("the masks are empty") for n in result.notes) else f"frames {first}..{last - 1} inpainted"
    say(args, f"wrote {result.output} ({result.frame_count} frames, {filled}; run record in {result.record.name})")
    return 0
