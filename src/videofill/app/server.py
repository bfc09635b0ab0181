"""The web page (Gradio Blocks): each control calls one :class:`~videofill.app.session.Session` method.

:func:`build_app` makes the page; :func:`serve` runs it until Ctrl-C or SIGTERM, in a temporary folder that holds
every upload and result and is removed when the app stops. Handlers never raise into Gradio: bad input becomes one
line in the status bar (``#status``), and an unexpected error one line there plus a traceback in the server's log.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from videofill.app.jobs import Runner
from videofill.app.session import QUALITIES, TRACKERS, Session
from videofill.errors import VideofillError

#: Seconds between two progress updates of a run.
POLL_SECONDS = 0.5
#: System fonts only: the page must not fetch anything from the internet.
FONTS = ("ui-sans-serif", "system-ui", "sans-serif")


def _one_line(err: BaseException) -> str:
    if isinstance(err, VideofillError):
        return f"error: {str(err).splitlines()[0]}"
    traceback.print_exc(file=sys.stderr)
    text = str(err).splitlines()[0] if str(err) else ""
    return f"internal error ({type(err).__name__}{': ' + text if text else ''}); see the server log"


def build_app(root: Path, max_upload_mb: float = 500, runner: Runner | None = None):
    """The Gradio Blocks of the app, keeping its sessions under ``root``.

    Args:
        root: an existing folder for the sessions (uploads and results).
        max_upload_mb: larger uploads are refused with one line.
        runner: the single-run slot (a new one when None).

    Returns:
        (blocks, runner).
    """
    import gradio as gr

    runner = runner or Runner()
    max_bytes = int(max_upload_mb * 2**20)

    def session_of(session: Session | None) -> Session:
        return session if session is not None else Session.create(root, max_bytes)

    def guarded(count: int):
        """Wrap a handler ``(session, ...) -> (session, message, *outputs)``; on error: message only, rest kept."""

        def wrap(fn):
            @functools.wraps(fn)
            def run(session, *args):
                session = session_of(session)
                try:
                    return fn(session, *args)
                except Exception as err:  # noqa: BLE001 - nothing reaches the browser but one line
                    return (session, _one_line(err)) + (gr.skip(),) * count

            return run

        return wrap

    def frame_outputs(session: Session, frame: int):
        image = session.overlay(frame)
        return image, {"background": session.frames[int(frame)], "layers": [], "composite": None}

    @guarded(4)
    def open_upload(session: Session, upload):
        if upload is None:
            return session, "", gr.skip(), gr.skip(), gr.skip(), gr.skip()
        message = session.load_video(upload)
        return (session, message, gr.Slider(minimum=0, maximum=max(1, session.frame_count - 1), value=0, step=1),
                *frame_outputs(session, 0), None)

    @guarded(4)
    def open_sample(session: Session):
        message = "sample clip: " + session.load_sample()
        return (session, message, gr.Slider(minimum=0, maximum=max(1, session.frame_count - 1), value=0, step=1),
                *frame_outputs(session, 0), None)

    @guarded(2)
    def show_frame(session: Session, frame):
        if session.frames is None:
            return session, "", gr.skip(), gr.skip()
        return (session, gr.skip(), *frame_outputs(session, frame))

    def clicked(session: Session | None, frame, tool, tracker, evt: gr.SelectData):
        session = session_of(session)
        try:
            x, y = (int(v) for v in evt.index[:2])
            message = session.click(int(frame), x, y, tool)
            if tool == "box" and session.corner is None:  # a box was completed: track it at once
                message = session.track(tracker)
                return session, message, session.overlay(frame), str(session.marked_video)
            return session, message, session.overlay(frame), gr.skip()
        except Exception as err:  # noqa: BLE001
            return session, _one_line(err), gr.skip(), gr.skip()

    @guarded(2)
    def track(session: Session, frame, tracker):
        message = session.track(tracker)
        return session, message, session.overlay(frame), str(session.marked_video)

    @guarded(2)
    def use_brush(session: Session, frame, edited, tracker):
        layers = (edited or {}).get("layers") or []
        if not layers:
            raise VideofillError("nothing painted: paint over the object with the brush first")
        painted = sum((layer[..., 3] > 0 if layer.ndim == 3 and layer.shape[2] == 4 else layer.max(axis=-1) > 0)
                      for layer in layers)
        session.add_brush(int(frame), painted)
        message = session.track(tracker)
        return session, message, session.overlay(frame), str(session.marked_video)

    @guarded(1)
    def clear_frame(session: Session, frame):
        return session, session.clear_marks(int(frame)), session.overlay(frame)

    @guarded(1)
    def clear_every(session: Session, frame):
        return session, session.clear_marks(None), session.overlay(frame)

    def run(session: Session | None, dilate, quality, progress=gr.Progress()):
        session = session_of(session)
        try:
            job = session.start_run(runner, int(dilate), quality)
        except Exception as err:  # noqa: BLE001
            yield session, _one_line(err), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            status = job.poll()
            while status.state == "running":
                progress((status.done, status.total or None), desc=status.describe(), unit="frames")
                yield session, status.describe(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                time.sleep(POLL_SECONDS)
                status = job.poll()
        finally:  # the page went away while waiting: do not leave the run going
            if job.poll().state == "running":
                job.stop()
        if status.state != "done":
            yield session, status.describe(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            files = session.finish_run()
        except Exception as err:  # noqa: BLE001
            yield session, _one_line(err), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield (session, status.describe(), str(files["compare"]), str(files["slice"]),
               [str(files["result"]), str(files["masks"])], str(files["result"]))

    def stop(session: Session | None):
        if session is None or session.job is None or session.job.poll().state != "running":
            return session, "no run is going"
        session.job.stop()
        return session, "the run was stopped"

    with gr.Blocks(title="videofill", analytics_enabled=False) as blocks:
        state = gr.State(None, delete_callback=lambda s: s.close() if s is not None else None)
        gr.Markdown("## videofill: remove an object from a video\n"
                    "Open a video, mark the object on a frame (a box, clicks or the brush), check the tracked mask, "
                    "then inpaint.")
        status = gr.Textbox(label="Status", interactive=False, elem_id="status", max_lines=1)
        with gr.Row():
            upload = gr.File(label="Video (upload)", elem_id="upload")
            with gr.Column():
                sample = gr.Button("Use the sample clip", elem_id="sample")
                frame = gr.Slider(0, 1, value=0, step=1, label="Frame", elem_id="frame-slider")
        with gr.Row():
            with gr.Column():
                image = gr.Image(label="Frame: click to mark", interactive=False, elem_id="frame", format="png",
                                 buttons=[])
                tool = gr.Radio(["box", "points"], value="box", label="Mark with (box: click two corners)",
                                elem_id="tool")
                tracker = gr.Radio(list(TRACKERS), value="network", label="Tracker (network: accurate, flow: fast)",
                                   elem_id="tracker")
                with gr.Row():
                    track_button = gr.Button("Track", elem_id="track")
                    clear_one = gr.Button("Remove this frame's mark")
                    clear_all = gr.Button("Remove all marks")
                with gr.Accordion("Brush", open=False):
                    editor = gr.ImageEditor(label="Paint over the object", type="numpy", image_mode="RGBA",
                                            sources=[], transforms=(), layers=False, elem_id="brush")
                    brush_button = gr.Button("Use the painted mask")
            marked = gr.Video(label="Tracked mask over the video", elem_id="marked", interactive=False)
        with gr.Row():
            dilate = gr.Slider(0, 30, value=0, step=1, label="Dilation (px): grow the mask", elem_id="dilate")
            quality = gr.Radio(list(QUALITIES), value="fast", elem_id="quality",
                               label="Quality (fast: propagation; better: + network training, slow)")
        with gr.Row():
            run_button = gr.Button("Inpaint", variant="primary", elem_id="run")
            stop_button = gr.Button("Stop", elem_id="stop")
        with gr.Row():
            compare = gr.Video(label="Input | result", elem_id="compare", interactive=False)
            slice_image = gr.Image(label="Temporal slice through the hole", elem_id="slice", interactive=False,
                                   format="png")
        downloads = gr.File(label="Downloads (result mp4, masks zip)", file_count="multiple", elem_id="downloads",
                            interactive=False)
        result_path = gr.Textbox(visible=False)

        upload.upload(open_upload, [state, upload], [state, status, frame, image, editor, marked])
        sample.click(open_sample, [state], [state, status, frame, image, editor, marked])
        frame.change(show_frame, [state, frame], [state, status, image, editor])
        image.select(clicked, [state, frame, tool, tracker], [state, status, image, marked])
        track_button.click(track, [state, frame, tracker], [state, status, image, marked])
        brush_button.click(use_brush, [state, frame, editor, tracker], [state, status, image, marked])
        clear_one.click(clear_frame, [state, frame], [state, status, image])
        clear_all.click(clear_every, [state, frame], [state, status, image])
        run_button.click(run, [state, dilate, quality], [state, status, compare, slice_image, downloads, result_path],
                         concurrency_limit=None)
        stop_button.click(stop, [state], [state, status], concurrency_limit=None)
    return blocks, runner


def serve(host: str = "127.0.0.1", port: int = 7860, max_upload_mb: float = 500, *, ready=None) -> None:
    """Run the app until Ctrl-C or SIGTERM; its temporary folder and any running job are removed on the way out.

    Args:
        host: address to bind (``127.0.0.1``: this machine only).
        port: TCP port.
        max_upload_mb: the upload limit in MB.
        ready: optional callable, called with the page's URL once the server listens (tests).
    """
    root = Path(tempfile.mkdtemp(prefix="videofill-app-"))
    os.environ["GRADIO_TEMP_DIR"] = str(root / "gradio")  # Gradio's own upload/cache copies go there too
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    runner, blocks = Runner(), None
    try:
        blocks, _ = build_app(root / "sessions", max_upload_mb, runner)
        (root / "sessions").mkdir()
        blocks.queue(default_concurrency_limit=4)
        blocks.launch(server_name=host, server_port=port, max_file_size=f"{max_upload_mb}mb",
                      prevent_thread_lock=True, quiet=True, footer_links=[], ssr_mode=False, pwa=False)
        url = f"http://{host}:{port}/"
        print(f"videofill app on {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        if ready is not None:
            ready(url)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop_all()
        if blocks is not None:
            blocks.close()
        shutil.rmtree(root, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
