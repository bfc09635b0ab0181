"""One user's work in the web app: a video, its marks, the tracked masks and the run, in a private temporary folder.

Every action is a plain method that calls library functions (:mod:`videofill.io`, :mod:`videofill.track`,
:mod:`videofill.files` through :mod:`videofill.app.jobs`, :mod:`videofill.viz`), so it can be used and tested without
a browser. Bad input raises :class:`~videofill.errors.VideofillError` with one line for the page.

Files in the session folder::

    input.<ext>        the uploaded video (a copy; the upload's own path is not kept)
    sample/            the bundled sample, when picked
    marked.mp4         the tracked mask drawn over the video
    holes.npy          bool (T, H, W) holes the run uses (tracked masks, before dilation)
    result.mp4         the inpainted video (audio copied from the input)
    masks.zip          the masks of the run (after dilation), 00000.png ... (255 = hole)
    compare.mp4        input with the hole outlined | result, side by side
    slice.png          temporal slice of input and result through the hole
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from videofill.config import InpaintConfig, get_preset
from videofill.errors import VideofillError
from videofill.io.masks import dilate_holes, holes_to_images
from videofill.io.video import probe, read_frames
from videofill.io.writer import write_frames

#: Largest decoded clip the app keeps in memory (frames are decoded once, for scrubbing and tracking).
MAX_DECODED_BYTES = 3 * 2**30
#: File endings accepted as videos (anything else is refused before it is opened).
VIDEO_ENDINGS = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".ogv", ".wmv", ".flv")
#: Inpainting quality name -> changes to the ``default`` preset.
QUALITIES = {
    "draft": {"propagation_passes": 1, "flow_preset": "ultrafast", "spatial_fill": "membrane"},  # a preview: one
    # propagation pass on rough flows, the membrane without the choice among smooth fills
    "fast": {},  # flow-guided propagation only (the default preset)
    "better": {"max_steps": 300},  # propagation corrected by 300 training steps of the paper's network
    "best": {"quality": "best"},  # propagation, then what no frame shows synthesised (--quality best; minutes)
    "texture": {"quality": "best", "unseen_filler": "exemplar"},  # best with exemplar forced (--unseen-filler exemplar)
}
#: Tracker choice in the page -> ``TrackConfig.method``.
TRACKERS = {"network": "net", "flow": "flow"}
#: Colour of the mask tint and outline in previews (RGB).
MARK_COLOUR = (255, 40, 40)


def _mark_class():
    try:
        from videofill.track import Mark
    except ImportError as err:  # the tracking subpackage is not installed in this build
        raise VideofillError("mask tracking is not available in this videofill build") from err
    return Mark


@dataclass
class Session:
    """State of one browser tab.

    Args:
        folder: the session's own folder (created; removed by :meth:`close`).
        max_upload_bytes: larger uploads are refused.
    """

    folder: Path
    max_upload_bytes: int = 500 * 2**20
    video: Path | None = None  # the clip being worked on
    frames: np.ndarray | None = None  # uint8 (T, H, W, 3) RGB, decoded once
    fps: object = None  # the clip's frame rate (Fraction)
    marks: dict = field(default_factory=dict)  # frame -> videofill.track.Mark
    corner: tuple[int, int, int] | None = None  # (frame, x, y): first corner of a box being drawn
    holes: np.ndarray | None = None  # bool (T, H, W), tracked masks, True = object
    result: Path | None = None  # result.mp4 once a run finished
    run_dilate: int = 0  # the dilation (px) of the last run started
    job: object = None  # the last run started (videofill.app.jobs.Job)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def create(cls, root: Path, max_upload_bytes: int = 500 * 2**20) -> "Session":
        """A session in a new folder under ``root``."""
        return cls(Path(tempfile.mkdtemp(prefix="session-", dir=root)), max_upload_bytes)

    def close(self) -> None:
        """Stop the session's run, if one is going, remove the session's folder and forget everything."""
        if self.job is not None:
            self.job.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.frames = self.holes = None

    # ---- video -------------------------------------------------------------------------------------------------

    def load_video(self, upload: str | Path) -> str:
        """Take an uploaded file (a path the server created) as the clip; returns a one-line summary.

        Raises:
            VideofillError: not a video, larger than ``max_upload_bytes``, or too large to decode in memory.
        """
        upload = Path(upload)
        ending = upload.suffix.lower()
        if ending not in VIDEO_ENDINGS:
            raise VideofillError(f"{upload.name} is not a video (expected one of {', '.join(VIDEO_ENDINGS)})")
        size = upload.stat().st_size
        if size > self.max_upload_bytes:
            raise VideofillError(f"{upload.name} is {size / 2**20:.0f} MB; the limit is "
                                 f"{self.max_upload_bytes / 2**20:.0f} MB")
        target = self.folder / f"input{ending}"
        for old in self.folder.glob("input.*"):
            old.unlink()
        shutil.copyfile(upload, target)
        try:
            return self._open(target)
        except VideofillError as err:
            target.unlink(missing_ok=True)
            raise VideofillError(f"{upload.name} is not a readable video") from err

    def load_sample(self) -> str:
        """Use the bundled sample clip (:func:`videofill.sample.make_sample`); returns a one-line summary."""
        from videofill.sample import make_sample

        sample = make_sample(self.folder / "sample", overwrite=True)
        return self._open(sample.input)

    def _open(self, path: Path) -> str:
        info = probe(path)
        need = info.frame_count * info.width * info.height * 3
        if need > MAX_DECODED_BYTES:
            raise VideofillError(f"the clip needs {need / 2**30:.1f} GiB decoded; the app keeps at most "
                                 f"{MAX_DECODED_BYTES / 2**30:.0f} GiB (cut it shorter or smaller)")
        self.frames = read_frames(path)
        self.video, self.fps = path, info.fps
        self.marks, self.corner, self.holes, self.result = {}, None, None, None
        audio = ", with audio" if info.has_audio else ""
        return f"{path.name}: {len(self.frames)} frames, {info.width}x{info.height}, {float(info.fps):.3g} fps{audio}"

    def _need_video(self) -> np.ndarray:
        if self.frames is None:
            raise VideofillError("open a video or the sample first")
        return self.frames

    @property
    def frame_count(self) -> int:
        """Frames of the clip (0 without one)."""
        return 0 if self.frames is None else len(self.frames)

    # ---- marks -------------------------------------------------------------------------------------------------

    def click(self, frame: int, x: int, y: int, tool: str) -> str:
        """A click on frame ``frame`` at pixel (x, y) with ``tool`` "box" (two clicks: opposite corners) or
        "points" (each click adds a point on the object). Returns a one-line message."""
        frames = self._need_video()
        frame = int(np.clip(frame, 0, len(frames) - 1))
        Mark = _mark_class()
        if tool == "points":
            old = self.marks.get(frame)
            points = tuple(old.points) if old is not None and old.points is not None else ()
            self.set_mark(Mark(frame, points=points + ((int(x), int(y)),)))
            return f"frame {frame}: {len(points) + 1} point(s) on the object; press Track when done"
        if self.corner is None or self.corner[0] != frame:
            self.corner = (frame, int(x), int(y))
            return f"frame {frame}: first corner at ({x}, {y}); click the opposite corner"
        _, x0, y0 = self.corner
        self.corner = None
        box = (min(x0, x), min(y0, y), max(x0, x) + 1, max(y0, y) + 1)
        self.set_mark(Mark(frame, box=tuple(int(v) for v in box)))
        return f"frame {frame}: box {box[0]},{box[1]} to {box[2]},{box[3]}"

    def add_brush(self, frame: int, painted: np.ndarray) -> str:
        """Use the painted pixels (bool or non-zero (H, W)) of frame ``frame`` as its mark."""
        frames = self._need_video()
        mask = np.asarray(painted)
        if mask.ndim == 3:
            mask = mask.max(axis=2)
        mask = mask.astype(bool)
        if mask.shape != frames.shape[1:3]:
            mask = cv2.resize(mask.astype(np.uint8), frames.shape[2:0:-1], interpolation=cv2.INTER_NEAREST) > 0
        if not mask.any():
            raise VideofillError("nothing painted: paint over the object with the brush first")
        self.set_mark(_mark_class()(int(frame), mask=mask))
        return f"frame {frame}: brush mask of {int(mask.sum())} px"

    def set_mark(self, mark) -> None:
        """Add or replace the mark of ``mark.frame`` (checked with :func:`videofill.track.check_marks`)."""
        from videofill.track import check_marks

        frames = self._need_video()
        check_marks([mark], len(frames), frames.shape[1:3])
        self.marks[int(mark.frame)] = mark

    def clear_marks(self, frame: int | None = None) -> str:
        """Remove the mark of ``frame`` (None: all marks and the tracked masks)."""
        self.corner = None
        if frame is None:
            self.marks, self.holes = {}, None
            return "all marks removed"
        self.marks.pop(int(frame), None)
        return f"frame {frame}: mark removed"

    # ---- tracking ----------------------------------------------------------------------------------------------

    def track(self, tracker: str = "network", progress: bool = False) -> str:
        """Track the marks over the whole clip (:func:`videofill.track.track`); writes ``marked.mp4``."""
        frames = self._need_video()
        if not self.marks:
            raise VideofillError("no marks: draw a box, click points or paint over the object first")
        if tracker not in TRACKERS:
            raise VideofillError(f"unknown tracker {tracker!r}; use one of {', '.join(TRACKERS)}")
        from videofill.track import TrackConfig, track

        marks = [self.marks[k] for k in sorted(self.marks)]
        self.holes = track(frames, marks, config=TrackConfig(method=TRACKERS[tracker]), progress=progress)
        write_frames(self.folder / "marked.mp4", (self.overlay(t) for t in range(len(frames))), self.fps,
                     overwrite=True)
        covered = sum(1 for h in self.holes if h.any())
        return f"tracked: the object is masked on {covered} of {len(frames)} frames"

    @property
    def marked_video(self) -> Path | None:
        """``marked.mp4``, the tracked mask drawn over the clip (None before tracking)."""
        path = self.folder / "marked.mp4"
        return path if self.holes is not None and path.exists() else None

    def overlay(self, frame: int) -> np.ndarray:
        """Frame ``frame`` as uint8 (H, W, 3) RGB with its tracked mask tinted, marks drawn and a pending corner."""
        frames = self._need_video()
        frame = int(np.clip(frame, 0, len(frames) - 1))
        image = frames[frame].copy()
        if self.holes is not None and self.holes[frame].any():
            hole = self.holes[frame]
            image[hole] = (0.5 * image[hole] + 0.5 * np.array(MARK_COLOUR)).astype(np.uint8)
            contours, _ = cv2.findContours(hole.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(image, contours, -1, MARK_COLOUR, 1)
        mark = self.marks.get(frame)
        if mark is not None and mark.box is not None:
            x0, y0, x1, y1 = mark.box
            cv2.rectangle(image, (x0, y0), (x1 - 1, y1 - 1), (255, 255, 0), 1)
        if mark is not None and mark.points is not None:
            for x, y in mark.points:
                cv2.circle(image, (x, y), 3, (255, 255, 0), -1)
        if self.corner is not None and self.corner[0] == frame:
            cv2.drawMarker(image, self.corner[1:], (255, 255, 0), cv2.MARKER_CROSS, 9, 1)
        return image

    # ---- the run -----------------------------------------------------------------------------------------------

    def run_config(self, dilate: int = 0, quality: str = "fast", one_copy: bool = False) -> InpaintConfig:
        """The inpainting settings: the ``default`` preset with ``dilate`` px, a :data:`QUALITIES` choice and, with
        ``one_copy``, one copy per region (``--combine one``: no ghosts of moving objects) instead of the quality's own
        way of combining the copies (``--combine auto``)."""
        if quality not in QUALITIES:
            raise VideofillError(f"unknown quality {quality!r}; use one of {', '.join(QUALITIES)}")
        combine = "one" if one_copy else "auto"
        preset = get_preset("default")
        return preset.replace(dilate=int(dilate), dilate_side=None, combine=combine, **QUALITIES[quality])

    def start_run(self, runner, dilate: int = 0, quality: str = "fast", one_copy: bool = False):
        """Start inpainting with the tracked masks in the background (:class:`videofill.app.jobs.Runner`).

        Returns:
            the :class:`~videofill.app.jobs.Job`.

        Raises:
            VideofillError: no video, no tracked masks, bad settings, or another run is going.
        """
        self._need_video()
        if self.holes is None:
            raise VideofillError("no marks: mark the object and track it before inpainting")
        if not self.holes.any():
            raise VideofillError("the tracked mask is empty on every frame: mark the object again")
        config = self.run_config(dilate, quality, one_copy)
        holes_path = self.folder / "holes.npy"
        np.save(holes_path, self.holes)
        self.result, self.run_dilate = None, config.dilate
        self.job = runner.start(self.video, holes_path, self.folder / "result.mp4", config, self.frame_count)
        return self.job

    def finish_run(self) -> dict[str, Path]:
        """After a run: write the masks zip, the side-by-side video and the temporal slice.

        Returns:
            {"result": result.mp4, "masks": masks.zip, "compare": compare.mp4, "slice": slice.png}.
        """
        from videofill.viz import outline_holes, save_image, side_by_side, temporal_slice_figure

        frames = self._need_video()
        result_path = self.folder / "result.mp4"
        if not result_path.exists():
            raise VideofillError("no result yet: run the inpainting first")
        self.result = result_path
        holes = dilate_holes(self.holes, self.run_dilate)
        zip_path = self.folder / "masks.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for t, image in enumerate(holes_to_images(holes)):
                archive.writestr(f"{t:05d}.png", cv2.imencode(".png", image)[1].tobytes())
        result = read_frames(result_path)
        compare = side_by_side([outline_holes(frames, holes), result], ["input", "result"])
        write_frames(self.folder / "compare.mp4", compare, self.fps, overwrite=True)
        rows = holes.sum(axis=(0, 2))
        row = int(np.argmax(rows)) if rows.any() else frames.shape[1] // 2
        figure = temporal_slice_figure({"input": frames, "result": result}, row, holes)
        save_image(self.folder / "slice.png", figure)
        return {"result": result_path, "masks": zip_path, "compare": self.folder / "compare.mp4",
                "slice": self.folder / "slice.png"}
