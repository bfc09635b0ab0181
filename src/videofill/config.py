"""Run configuration: one dataclass, and the named presets built from it.

The command line maps its flags onto these fields and writes the resolved configuration next to the output, so a
result can always be reproduced from its folder.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from videofill.errors import VideofillError

QUALITIES = ("fast", "best")
#: How propagation combines a hole pixel's copies from other frames (videofill.fill.propagate.one_copy).
COMBINES = ("median", "one", "agree")
#: What propagation's spatial fill may be (videofill.fill.propagate.spatial_fill): the smooth fills of
#: videofill.fill.membrane.SMOOTHS, auto (the one of them that measures best on trial copies of the clip's holes:
#: videofill.fill.trials.choose_smooth), or Telea's fast marching (cv2.INPAINT_TELEA, the default until 2026-11-30:
#: settings saved without a spatial fill ran with it).
SPATIAL_FILLS = ("auto", "membrane", "thin plate", "membrane+thin plate", "telea")
METHODS = ("dip", "dip-vid", "dip-vid-3dcn", "dip-vid-flow")
#: What fills the pixels no frame shows with quality best (videofill.fill.synthesis): auto = the choice of
#: videofill.fill.synthesis.fill_plate, measured on copies of the hole moved onto known pixels; or one filler, forced.
UNSEEN_FILLERS = ("auto", "diffusion", "patches", "exemplar", "network", "network+diffusion", "exemplar+network")
#: The revision of what quality best does with the pixels no frame shows (videofill.fill.synthesis); raised whenever
#: that stage gives other pixels for the same settings. A checkpoint or window folder of `best` saved under another
#: revision (or before revisions were recorded) is not resumed: its pixels would mix two fills.
UNSEEN_REVISION = 13  # 13: the still hole judged by propagation (hold_still_holes; all-hole frames keep their copies); 12: a still hole (static camera): all that no frame shows from the plate; 11: exemplar detail on the hedge's coarse part; 10: at EXEMPLAR_CONTRAST; 9: COARSE_SCALE
#: Encoder channels per level of the paper's generator (appendix A.1).
PAPER_CHANNELS: tuple[int, ...] = (16, 32, 64, 128, 128, 128)


#: Fields that change how a result is written or how often a run is saved, not the filled pixels.
_NOT_RESULT_FIELDS = ("crf", "lossless", "checkpoint_seconds", "progress_every", "device")
#: Propagation's fields added after runs were saved without them: field -> what its absence meant: the spatial fill
#: was Telea's (until 2026-11-30); a hole that stays put kept its copies (until 2026-12-01; but see
#: :func:`_before_fields` for quality best).
_BEFORE_FIELDS = {"spatial_fill": "telea", "hold_still_holes": False}


def _before_fields(saved: dict) -> dict:
    """The values of the ``_BEFORE_FIELDS`` that ``saved`` settings lack, as they ran then: a `best` run saved with a
    spatial fill but without ``hold_still_holes`` (2026-11-30) already replaced the still holes' copies, in its
    synthesis stage."""
    before = dict(_BEFORE_FIELDS)
    if saved.get("quality") == "best" and "spatial_fill" in saved:
        before["hold_still_holes"] = True
    return {name: value for name, value in before.items() if name not in saved}


def cli_flag(name: str, value) -> str:
    """The ``videofill inpaint`` flag that sets field ``name`` to ``value`` (quoted for a shell when it has a space)."""
    option = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return option if value else "--no-" + option[2:]
    return f"{option} {value!r}" if " " in str(value) else f"{option} {value}"


@dataclass
class InpaintConfig:
    """Everything a run needs besides its frames and masks. Defaults are the paper's settings."""

    # --- what to run
    quality: str = "fast"  # fast: propagation alone | best: also synthesise what no frame shows (videofill.fill.synthesis)
    unseen_steps: int = 200  # best, static or hand-held camera: Adam steps of each network (DIP) trained on the background plate to fill what no frame shows (alone, as the hedge network+diffusion, or guiding exemplar+network; on a wide region the hedge's coarse network trains twice as many on the plate at half size); 0: patches, exemplar and diffusion only
    unseen_filler: str = "auto"  # best: what fills what no frame shows: auto (with the network: the lowest copy error among network, network+diffusion, exemplar and exemplar+network that keep texture on copies of the hole; without: patches, exemplar or diffusion) | diffusion (the smooth fill from the hole's edge: membrane, thin plate or their mean, whichever copies measure best) | patches | exemplar | network | network+diffusion | exemplar+network (the network and exemplar copies: on the plate of a static or hand-held camera only; under a camera that moves more exemplar asks for patches)
    unseen_runs: int = 2  # best, static or hand-held camera: networks of successive seeds whose fills are averaged (one network's fill varies much with its seed; benchmarks/results/unseen_seeds.md)
    method: str = "dip-vid-flow"  # dip | dip-vid | dip-vid-3dcn | dip-vid-flow (section 4.1)
    # --- working resolution
    size: tuple[int, int] | None = None  # (W, H) the network works at; None: aspect kept, longer side = max_side
    max_side: int = 432  # longer side of the working frames (px) when size is None; never upscales
    dilate: int = 0  # grow every hole by this many pixels (at the input resolution, see dilate_side) before anything else
    dilate_side: int | None = None  # when set, dilate is in px at this long side and grows with the input's (never below dilate)
    crop_margin: int | None = None  # train on the smallest crop holding every hole + this many working px; None: whole frames
    # --- generator (appendix A.1)
    channels: tuple[int, ...] = PAPER_CHANNELS  # encoder channels per level; its length is the depth
    skip_channels: int = 4  # channels of each skip connection
    noise_max: float = 0.1  # the input is one noise channel per frame, uniform in [0, noise_max), fixed for the run
    # --- schedule (section 3.2, appendix C)
    batch_frames: int = 5  # N, frames in a batch
    strides: tuple[int, ...] = (1, 3, 5)  # frame intervals t of DIP-Vid-Flow batches
    steps_per_batch: int = 100  # M, Adam steps on a batch before moving to the next
    epochs: float = 20.0  # E, sweeps over the shuffled list of every batch; a fraction stops part-way
    max_steps: int | None = None  # hard cap on the total number of steps (None: none)
    lr: float = 0.01  # Adam learning rate
    dip_steps: int = 5000  # DIP baseline: Adam steps per frame
    dip_keep_every: int = 100  # DIP baseline: a candidate result is taken every this many steps
    # --- losses (section 3.1)
    weight_reconstruction: float = 1.0  # w_r
    weight_flow: float = 0.1  # w_f
    weight_consistency: float = 1.0  # w_c
    weight_perceptual: float = 0.01  # w_p
    perceptual: bool = True  # use L_p when VGG16 weights are found (off, with one warning, when they are not)
    vgg_weights: str | None = None  # path to torchvision-format VGG16 weights; None: look in the torch hub cache
    flow_preset: str = "medium"  # OpenCV DIS preset for the input flows: ultrafast | fast | medium
    guard_snapshot_every: int = 50  # divergence guard: steps between in-memory snapshots of a good training state
    guard_spike_factor: float = 20.0  # divergence guard: a loss above this many times the recent median is a spike
    guard_lr_decay: float = 0.5  # divergence guard: learning-rate factor applied after each recovery
    guard_history: int = 50  # divergence guard: steps of loss kept for the median
    # --- flow-guided propagation (videofill.fill.propagate; not in the paper, used by the default preset)
    guide_start: bool = False  # start from the propagated video (videofill.fill.propagate); training learns a correction
    weight_guide: float = 0.0  # w_g: pull hole pixels towards the propagated ones (0 = off)
    guide_untrusted: float = 0.0  # that pull's weight (0-1) on hole pixels whose propagation is not confirmed
    guide_output: bool = False  # output confirmed propagated pixels instead of the network's there
    guide_distance: int = 15  # propagation looks at most this many frames away
    propagation_passes: int = 2  # propagation runs, each after estimating the flows again on the last one's result
    spatial_fill: str = "auto"  # each frame's own fill of a hole pixel no other frame shows, and the last vote where copies disagree: auto (of the three smooth fills, the one that measures best on trial copies of the clip's holes; +0.13 dB on the composed cases, up to ~50 % more CPU time) | membrane (the smoothest fill from the hole's edge; the default on 2026-11-30) | thin plate (continues slopes; overshoots on fine texture) | membrane+thin plate (their mean) | telea (before 2026-11-30)
    hold_still_holes: bool = True  # under a static camera, what no frame shows of a hole that stays put (a logo, a watermark) takes the spatial fill (with best, the plate's), never copies: on static backgrounds those carried the motion around the hole in and measured worse | False (copies kept, as fast did before 2026-12-01)
    combine: str = "auto"  # a hole pixel's copies from other frames: median (with the spatial fill, per channel; best PSNR) | one (one copy per region: no ghosts, sharpest, ~0.8 dB lower PSNR on the composed cases) | agree (one copy where the region's copies agree, the median where they do not) | auto (median with fast, agree with best)
    # --- compute
    device: str = "auto"  # auto (CUDA when present) | cpu | cuda
    bf16: bool = False  # bfloat16 autocast for the generator and VGG (fast on CPUs with AVX-512 BF16, and GPUs)
    channels_last: bool = False  # channels_last memory format for the convolutions
    seed: int = 0  # seeds the noise maps, the initial weights and the batch order
    # --- output
    feather: int = 0  # px: width of the ramp inside the hole over which the fill's colour is matched to the edge
    crf: int = 18  # H.264 quality of video output, 0-51 (lower is better, 18 looks lossless)
    lossless: bool = False  # lossless RGB video output (libx264rgb, qp 0): bit-exact, for evaluation
    # --- long clips and runs (videofill.stream, videofill.files)
    window: int = 60  # frames inpainted together (the paper's clip length); longer clips go in windows; 0: all at once
    overlap: int = 10  # frames two neighbouring windows share, cross-faded in the hole (at most half of window)
    checkpoint_seconds: float = 60.0  # wall time between checkpoints of a run (and one more on Ctrl-C / SIGTERM)
    progress_every: int = 100  # with save_progress: training steps between two snapshots

    def __post_init__(self) -> None:
        if self.quality not in QUALITIES:
            raise VideofillError(f"unknown quality {self.quality!r}; choose one of {', '.join(QUALITIES)}")
        if not isinstance(self.hold_still_holes, bool):
            raise VideofillError(f"hold_still_holes must be true or false, got {self.hold_still_holes!r}")
        if self.spatial_fill not in SPATIAL_FILLS:
            raise VideofillError(f"unknown spatial fill {self.spatial_fill!r}; choose one of "
                                 f"{', '.join(map(repr, SPATIAL_FILLS))} (quoted on a command line)")
        if self.combine not in ("auto", *COMBINES):
            raise VideofillError(f"unknown combine {self.combine!r}; choose one of auto, {', '.join(COMBINES)}")
        if self.method not in METHODS:
            raise VideofillError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.size is not None:
            self.size = (int(self.size[0]), int(self.size[1]))
        self.channels = tuple(int(c) for c in self.channels)
        self.strides = tuple(int(s) for s in self.strides)
        if self.crop_margin is not None and self.crop_margin < 0:
            raise VideofillError(f"crop_margin must be 0 or more, got {self.crop_margin}")
        if self.unseen_filler not in UNSEEN_FILLERS:
            raise VideofillError(f"unknown --unseen-filler {self.unseen_filler!r}; choose one of {', '.join(UNSEEN_FILLERS)}")
        if self.unseen_steps < 0:
            raise VideofillError(f"--unseen-steps must be 0 or more, got {self.unseen_steps}")
        if self.unseen_steps == 0 and "network" in self.unseen_filler:
            raise VideofillError(f"--unseen-filler {self.unseen_filler} needs the network: --unseen-steps 0 trains none")
        if isinstance(self.unseen_runs, bool) or not isinstance(self.unseen_runs, int) or self.unseen_runs < 1:
            raise VideofillError(f"--unseen-runs must be 1 or more, got {self.unseen_runs}")
        if self.max_steps is not None and self.max_steps < 0:
            raise VideofillError(f"max_steps must be 0 or more, got {self.max_steps}")
        if not 0.0 <= self.guide_untrusted <= 1.0:
            raise VideofillError(f"guide_untrusted must be in [0, 1], got {self.guide_untrusted}")
        if self.propagation_passes < 1:
            raise VideofillError(f"propagation_passes must be 1 or more, got {self.propagation_passes}")
        if self.max_steps == 0 and not self.guide_start:
            raise VideofillError("max_steps 0 trains nothing: it needs guide_start (the propagated video as the answer)")
        if self.dilate < 0:
            raise VideofillError(f"--dilate must be 0 or more pixels, got {self.dilate}")
        if self.dilate_side is not None and self.dilate_side < 1:
            raise VideofillError(f"dilate_side must be a positive long side in px, got {self.dilate_side}")
        if self.feather < 0:
            raise VideofillError(f"--feather must be 0 or more pixels, got {self.feather}")
        if self.max_side < 1 or (self.size is not None and min(self.size) < 1):
            raise VideofillError("--max-side and --size must be positive")
        if not 0 <= self.crf <= 51:
            raise VideofillError(f"--crf must be between 0 and 51, got {self.crf}")
        if self.window < 0 or self.overlap < 0 or self.checkpoint_seconds < 0 or self.progress_every < 1:
            raise VideofillError("--window and --overlap must be 0 or more, --checkpoint-seconds 0 or more, --progress-every above 0")
        if self.batch_frames < 1 or self.steps_per_batch < 1 or self.epochs <= 0:
            raise VideofillError("batch_frames and steps_per_batch must be at least 1 and epochs above 0")

    @property
    def depth(self) -> int:
        return len(self.channels)

    @property
    def propagates(self) -> bool:
        """Whether a run uses flow-guided propagation (the default preset; the paper's methods alone do not)."""
        return self.weight_guide > 0 or self.guide_output or self.guide_start

    @property
    def copy_combine(self) -> str:
        """How propagation combines the copies (one of :data:`COMBINES`): ``combine``, with auto resolved by
        ``quality`` (median for fast, agree for best)."""
        if self.combine != "auto":
            return self.combine
        return "agree" if self.quality == "best" else "median"

    def dilation(self, width: int, height: int) -> int:
        """Pixels every hole is grown by for an input of this size: ``dilate``, scaled by the long side over
        ``dilate_side`` (rounded, never below ``dilate``) when that is set."""
        if self.dilate_side is None:
            return self.dilate
        return max(self.dilate, round(self.dilate * max(width, height) / self.dilate_side))

    def replace(self, **changes) -> InpaintConfig:
        """A copy with these fields changed, checked again; ``None`` sets a field to None (where None is allowed).

        Raises:
            VideofillError: an unknown field or a value out of range.
        """
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise VideofillError(f"unknown setting(s) {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)

    @property
    def trains(self) -> bool:
        """Whether a network is trained (False: the default preset's propagation alone is the answer)."""
        return self.max_steps != 0

    def result_settings(self) -> dict:
        """:meth:`to_dict` without the fields that do not change the filled pixels (output quality, checkpoint timing;
        with quality fast, the networks of best), ``combine`` resolved (:attr:`copy_combine`), with quality best the
        :data:`UNSEEN_REVISION`: what a checkpoint must match to be resumed."""
        skip = _NOT_RESULT_FIELDS + (("unseen_steps", "unseen_runs", "unseen_filler") if self.quality == "fast" else ())
        skip += () if self.propagates else tuple(_BEFORE_FIELDS)
        settings = {k: v for k, v in self.to_dict().items() if k not in skip} | {"combine": self.copy_combine}
        return settings | ({"unseen_revision": UNSEEN_REVISION} if self.quality == "best" else {})

    def same_result(self, saved: dict) -> bool:
        """Whether settings saved by an earlier run (its :meth:`result_settings`, as checkpoints and window folders
        keep them) give the pixels these give: compared once both are read as today's configuration
        (:meth:`from_dict`; settings with ``quality`` but no ``unseen_steps`` were saved before `best` trained
        networks: 0 steps; without a field of propagation's, what was done before it: ``_BEFORE_FIELDS``), so
        settings from before a field existed, or before a default changed, still match when they ran the same way;
        with quality best, only settings of this :data:`UNSEEN_REVISION` match."""
        if not isinstance(saved, dict):
            return False
        if self.quality == "best" and saved.get("unseen_revision") != UNSEEN_REVISION:  # another stage's pixels
            return False
        if "quality" in saved and "unseen_steps" not in saved:  # saved before best trained networks
            saved = saved | {"unseen_steps": 0}
        saved = saved | _before_fields(saved)  # saved before those fields
        try:
            return InpaintConfig.from_dict(saved).result_settings() == self.result_settings()
        except (VideofillError, TypeError, ValueError):
            return False

    def resume_hint(self, saved) -> str:
        """What to add to a refused resume: the flags of propagation's fields (``_BEFORE_FIELDS``) that give ``saved``
        settings' values, read as :meth:`same_result` reads them (a run made before a field existed, or with another
        default), when they are all that differs; else ""."""
        if not isinstance(saved, dict) or not self.propagates:
            return ""
        then = {name: (saved | _before_fields(saved))[name] for name in _BEFORE_FIELDS}
        changes = {name: value for name, value in then.items() if getattr(self, name) != value}
        try:
            resumable = bool(changes) and self.replace(**changes).same_result(saved)
        except (VideofillError, TypeError, ValueError):
            return ""
        if not resumable:
            return ""
        flags = " ".join(cli_flag(name, value) for name, value in changes.items())
        return f" (it was made with other settings: add {flags} to resume it)"

    def to_dict(self) -> dict:
        """The fields as plain JSON types."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def save(self, path: str | Path) -> None:
        """Write the configuration as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def from_dict(cls, data: dict) -> InpaintConfig:
        """The configuration in ``data`` (fields it lacks keep their defaults; other keys are ignored). A record with
        ``unseen_steps`` but no ``unseen_runs`` was saved when `best` trained one network: it keeps one; one with
        ``unseen_steps`` but no ``combine`` was saved when propagation took the median: it keeps the median; one with
        ``unseen_steps`` but no ``spatial_fill`` (or ``hold_still_holes``) was saved before that field: it keeps what
        was done then (``_BEFORE_FIELDS``: Telea's spatial fill; copies in holes that stay put)."""
        values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
        if "unseen_steps" in values and "unseen_runs" not in values:
            values["unseen_runs"] = 1
        if "unseen_steps" in values and "combine" not in values:
            values["combine"] = "median"
        if "unseen_steps" in values:
            values = values | _before_fields(data)
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> InpaintConfig:
        """Read a configuration saved by :meth:`save`, or the ``config`` part of a run record (``OUTPUT.config.json``).

        Raises:
            VideofillError: a missing or unreadable file, or values out of range.
        """
        data = read_record(path)
        return cls.from_dict(data.get("config", data))


def read_record(path: str | Path) -> dict:
    """The JSON object of a saved configuration or run record (``OUTPUT.config.json``), unchecked.

    Raises:
        VideofillError: a missing or unreadable file, or JSON that is not an object.
    """
    try:
        data = json.loads(Path(path).read_text())
    except OSError as err:
        raise VideofillError(f"cannot read the configuration {path}: {err.strerror or err.__class__.__name__}") from None
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
        raise VideofillError(f"cannot read the configuration {path}: not JSON ({err.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise VideofillError(f"{path} is not a videofill configuration or run record")
    return data


def _paper() -> InpaintConfig:
    """The paper exactly: 384x192 frames, N 5, M 100, E 20 full sweeps, all four losses."""
    return InpaintConfig(size=(384, 192))


def _test() -> InpaintConfig:
    """A few steps on a shallow network: for CI and smoke tests only (results are not meant to look good)."""
    return InpaintConfig(
        max_side=96,
        channels=(8, 16, 32),
        steps_per_batch=2,
        epochs=1.0,
        max_steps=12,
        dip_steps=6,
        dip_keep_every=2,
        perceptual=False,
        flow_preset="ultrafast",
    )


def _default() -> InpaintConfig:
    """What we recommend today on a CPU: the best configuration measured by benchmarks/speed.py.

    Hole pixels are filled by flow-guided propagation (``videofill.fill.propagate``): the median of the copies found in
    the nearest frames that show the pixel (two motion models, forwards and backwards) and of the frame's own spatial
    fill (``spatial_fill``: the smooth fill chosen on trial copies of the holes), in two passes (the second with the
    flows estimated again on the first's result). Training the paper's network to correct that start did not pay at
    CPU budgets (the report's levers table), so ``max_steps`` is 0; give ``--max-steps N`` to train the DIP-Vid-Flow
    correction on top (settings below), or use ``--preset paper`` for the paper's method alone.
    """
    return InpaintConfig(
        max_side=432,
        crop_margin=32,  # when training is asked for, train on the crop around the holes (benchmarks/step_time.py)
        guide_start=True,  # start from the propagated video; the network learns a correction to it
        weight_guide=1.0,
        guide_untrusted=0.3,
        max_steps=0,
        steps_per_batch=5,
        epochs=50.0,  # never the limit: max_steps is
        bf16=True,
        channels_last=True,
        feather=3,  # same scores on the benchmark cases; matches the copies' colour to the edge on HD input
        # Masks drawn tight around an object leave its outline in the fill (removal_bmx-trees: a dotted outline of
        # the rider and wheels; DAVIS bmx-trees at 854x480 too). benchmarks/results/halo.md: 2 px at 432x240 removes
        # it (the outline's gradient 67 -> 47, no better at 4) and 854x480 needs about twice that (54 -> 37 at 2 px,
        # 33 at 4), so 2 px per 432 px of long side (6 px at 1280x720). It costs composed-case hole PSNR on their
        # exact masks (car-roundabout x dogs-jump 18.4 -> 17.3 dB at 2 px, 15.8 at 4), hence no more than that.
        dilate=2,
        dilate_side=432,
    )


PRESETS = {"default": _default, "paper": _paper, "test": _test}


def get_preset(name: str) -> InpaintConfig:
    """The named preset as a fresh :class:`InpaintConfig`. Raises VideofillError for an unknown name."""
    if name not in PRESETS:
        raise VideofillError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]()


__all__ = ["METHODS", "PRESETS", "InpaintConfig", "cli_flag", "get_preset", "read_record"]
