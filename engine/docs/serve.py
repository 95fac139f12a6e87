"""``etl-engine docs --serve``: the written site over HTTP on the loopback interface only."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Quiet(SimpleHTTPRequestHandler):
    """Serves the folder without a log line per request (the terminal shows the address only)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def server(folder: Path, port: int) -> ThreadingHTTPServer:
    """A server for ``folder`` on 127.0.0.1:``port`` (0: any free port); the caller serves and closes it."""
    handler = functools.partial(_Quiet, directory=str(folder))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
