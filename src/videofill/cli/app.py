"""``videofill app``: serve the web app (:mod:`videofill.app`); Gradio is imported only when it runs."""

from __future__ import annotations

import argparse

from videofill.cli.common import HelpFormatter
from videofill.errors import VideofillError


def add_app(commands) -> None:
    p = commands.add_parser("app", help="the web app: open a video, mark the object, inpaint (needs videofill[app])",
                            formatter_class=HelpFormatter)
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
