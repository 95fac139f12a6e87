"""What ``etl-engine docs`` does once the plan is built: write the site, serve it if asked."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.context import PlannedRun


def docs_command(plan: PlannedRun, out: Path | None, serve: bool, port: int) -> None:
    from engine.docs.site import build_site

    if out is None and not serve:
        out = Path("site")
    folder = out if out is not None else Path(tempfile.mkdtemp(prefix="etl-engine-docs-"))
    site = build_site(plan, folder)
    print(f"wrote {len(site.pages)} pages to {folder} (open {folder / 'index.html'})", file=sys.stderr)
    if site.history_note:
        print(f"note: {site.history_note}", file=sys.stderr)
    if not serve:
        return
    from engine.docs.serve import server

    try:
        httpd = server(folder, port)
    except OSError as exc:
        from engine.errors import UsageError

        raise UsageError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror}; pick another with --port (0: any free port)"
        ) from None
    # the address on stdout, alone on its line, so scripts (and the tests) can read it
    print(f"http://127.0.0.1:{httpd.server_address[1]}/", flush=True)
    print("serving; Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
