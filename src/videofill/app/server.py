"""The web page (Gradio Blocks): each control calls one :class:`~videofill.app.session.Session` method.

:func:`build_app` makes the page; :func:`serve` runs it until Ctrl-C or SIGTERM, in a temporary folder that holds
every upload and result and is removed when the app stops. Handlers never raise into Gradio: bad input becomes one
line in the status bar (``#status``), and an unexpected error one line there plus a traceback in the server's log.
"""

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
    sessions: dict[str, Session] = {}  # Gradio's session hash (one per open tab) -> its Session

    def session_of(request: gr.Request) -> Session:
        key = request.session_hash or "default"
        if key not in sessions:
            sessions[key] = Session.create(root, max_bytes)
        return sessions[key]

    def close_tab(request: gr.Request) -> None:
        """The tab was closed or reloaded: stop its run and remove its files."""
        session = sessions.pop(request.session_hash or "default", None)
        if session is not None:
            session.close()

    def failed(err: BaseException, count: int):
        return (_one_line(err),) + (gr.skip(),) * count

    def opened(session: Session, message: str):
        slider = gr.Slider(minimum=0, maximum=max(1, session.frame_count - 1), value=0, step=1)
        return (message, slider, *frame_outputs(session, 0), None)

    def frame_outputs(session: Session, frame: int):
        image = session.overlay(frame)
        return image, {"background": session.frames[int(frame)], "layers": [], "composite": None}

    def tracked(session: Session, frame, message: str):
        return message, session.overlay(frame), str(session.marked_video)

    def open_upload(upload, request: gr.Request):
        try:
            if upload is None:
                return ("",) + (gr.skip(),) * 4
            uploads = os.environ.get("GRADIO_TEMP_DIR")
            if uploads and not Path(upload).resolve().is_relative_to(Path(uploads).resolve()):
                raise VideofillError("refused: the app only opens files uploaded through the page")
            session = session_of(request)
            return opened(session, session.load_video(upload))
        except Exception as err:  # noqa: BLE001 - nothing reaches the browser but one line
            return failed(err, 4)

    def open_sample(request: gr.Request):
        try:
            session = session_of(request)
            return opened(session, "sample clip: " + session.load_sample())
        except Exception as err:  # noqa: BLE001
            return failed(err, 4)

    def show_frame(frame, request: gr.Request):
        try:
            session = session_of(request)
            if session.frames is None:
                return gr.skip(), gr.skip(), gr.skip()
            return (gr.skip(), *frame_outputs(session, frame))
        except Exception as err:  # noqa: BLE001
            return failed(err, 2)

    def clicked(frame, tool, tracker, evt: gr.SelectData, request: gr.Request):
        try:
            session = session_of(request)
            x, y = (int(v) for v in evt.index[:2])
            message = session.click(int(frame), x, y, tool)
            if tool == "box" and session.corner is None:  # a box was completed: track it at once
                return tracked(session, frame, session.track(tracker))
            return message, session.overlay(frame), gr.skip()
        except Exception as err:  # noqa: BLE001
            return failed(err, 2)

    def track(frame, tracker, request: gr.Request):
        try:
            session = session_of(request)
            return tracked(session, frame, session.track(tracker))
        except Exception as err:  # noqa: BLE001
            return failed(err, 2)

    def use_brush(frame, edited, tracker, request: gr.Request):
        try:
            session = session_of(request)
            layers = (edited or {}).get("layers") or []
            if not layers:
                raise VideofillError("nothing painted: paint over the object with the brush first")
            painted = sum((layer[..., 3] > 0 if layer.ndim == 3 and layer.shape[2] == 4 else layer.max(axis=-1) > 0)
                          for layer in layers)
            session.add_brush(int(frame), painted)
            return tracked(session, frame, session.track(tracker))
        except Exception as err:  # noqa: BLE001
            return failed(err, 2)

    def clear_frame(frame, request: gr.Request):
        try:
            session = session_of(request)
            return session.clear_marks(int(frame)), session.overlay(frame)
        except Exception as err:  # noqa: BLE001
            return failed(err, 1)

    def clear_every(frame, request: gr.Request):
        try:
            session = session_of(request)
            return session.clear_marks(None), session.overlay(frame)
        except Exception as err:  # noqa: BLE001
            return failed(err, 1)

    def run(dilate, quality, one_copy, request: gr.Request, progress=gr.Progress()):
        try:
            session = session_of(request)
            job = session.start_run(runner, int(dilate), quality, bool(one_copy))
        except Exception as err:  # noqa: BLE001
            yield failed(err, 3)
            return
        try:
            status = job.poll()
            while status.state == "running":
                progress((status.done, status.total or None), desc=status.describe(), unit="frames")
                yield (status.describe(),) + (gr.skip(),) * 3
                time.sleep(POLL_SECONDS)
                status = job.poll()
        finally:  # the page went away while waiting: do not leave the run going
            if job.poll().state == "running":
                job.stop()
        if status.state != "done":
            yield (status.describe(),) + (gr.skip(),) * 3
            return
        try:
            files = session.finish_run()
        except Exception as err:  # noqa: BLE001
            yield failed(err, 3)
            return
        yield status.describe(), str(files["compare"]), str(files["slice"]), [str(files["result"]), str(files["masks"])]

    def stop(request: gr.Request):
        session = sessions.get(request.session_hash or "default")
        if session is None or session.job is None or session.job.poll().state != "running":
            return "no run is going"
        session.job.stop()
        return "the run was stopped"

    with gr.Blocks(title="videofill", analytics_enabled=False) as blocks:
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
                               label="Quality (draft: quick preview; fast: propagation; better: + network training, "
                                     "slow; best: + what no frame shows, from the video's texture, minutes; texture: best "
                                     "with exemplar forced: the background's own patches copied in, seconds, static "
                                     "camera)")
            one_copy = gr.Checkbox(value=False, elem_id="one_copy",
                                   label="One copy per region: moving objects come back solid, not as ghosts "
                                         "(sharper, slightly lower PSNR)")
        with gr.Row():
            run_button = gr.Button("Inpaint", variant="primary", elem_id="run")
            stop_button = gr.Button("Stop", elem_id="stop")
        with gr.Row():
            compare = gr.Video(label="Input | result", elem_id="compare", interactive=False)
            slice_image = gr.Image(label="Temporal slice through the hole", elem_id="slice", interactive=False,
                                   format="png")
        downloads = gr.File(label="Downloads (result mp4, masks zip)", file_count="multiple", elem_id="downloads",
                            interactive=False)

        upload.upload(open_upload, [upload], [status, frame, image, editor, marked])
        sample.click(open_sample, None, [status, frame, image, editor, marked])
        frame.change(show_frame, [frame], [status, image, editor])
        image.select(clicked, [frame, tool, tracker], [status, image, marked])
        track_button.click(track, [frame, tracker], [status, image, marked])
        brush_button.click(use_brush, [frame, editor, tracker], [status, image, marked])
        clear_one.click(clear_frame, [frame], [status, image])
        clear_all.click(clear_every, [frame], [status, image])
        run_button.click(run, [dilate, quality, one_copy], [status, compare, slice_image, downloads],
                         concurrency_limit=None)
        stop_button.click(stop, None, [status], concurrency_limit=None)
        blocks.unload(close_tab)
        blocks.sessions = sessions  # for tests and for closing them all when the app stops
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
        blocks.launch(server_name=host, server_port=port, max_file_size=int(max_upload_mb * 2**20),
                      prevent_thread_lock=True, quiet=True, footer_links=[], ssr_mode=False, pwa=False)
        url = f"http://{host}:{port}/"
        print(f"videofill app on {url} (files in {root}, removed on exit; Ctrl-C to stop)", file=sys.stderr,
              flush=True)
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
            for session in list(blocks.sessions.values()):
                session.close()
        shutil.rmtree(root, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
