"""Instant ``validate`` and ``run --dry-run``: replay the answer when nothing it depends on changed.

Checking a pipeline needs sqlglot, jsonschema, Jinja and the analysis of every SELECT:
about half a second, most of it imports.  The answer depends only on files (the
pipeline, vars files, SQL, templates, JSONPaths, the engine itself), folder listings
(a source folder) and a few environment variables.  The first run records all of them
through Python's audit hooks (every ``open`` and directory listing) and stores its
output; later runs stat those paths, compare, and replay the output without importing
anything heavy.  Only successful answers are kept, and nothing secret is stored: the
output is already redacted and environment values are kept as hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

CACHE_FORMAT = 1
#: options that take a value (so the value is not mistaken for the pipeline file)
VALUED = {"--var", "--vars-file", "--target", "-t", "--config", "--wait", "--allow-path", "--select", "-s", "--exclude"}

_env_names: set[str] = set()
#: the audit event a plan raises when it reads something remote (an S3 CSV header): never replayed
REMOTE_READ = "etl_engine.remote_read"


def note_env(name: str) -> None:
    """Settings call this for every name they look up, so the cache keys on its value."""
    _env_names.add(name)


def _observe_settings() -> None:
    from engine.settings import LOOKUP_OBSERVERS

    if note_env not in LOOKUP_OBSERVERS:
        LOOKUP_OBSERVERS.append(note_env)


def _cacheable(argv: list[str]) -> Path | None:
    """The pipeline file of a validate or dry-run command line, else None."""
    if not argv or argv[0] not in ("validate", "run") or (argv[0] == "run" and "--dry-run" not in argv):
        return None
    if any(a in ("--help", "-h") for a in argv):
        return None
    skip = False
    for arg in argv[1:]:
        if skip:
            skip = False
        elif arg in VALUED:
            skip = True
        elif not arg.startswith("-"):
            return Path(arg)
    return None


def _entry_path(argv: list[str], pipeline: Path) -> Path:
    key = hashlib.sha256(json.dumps([CACHE_FORMAT, sys.version, os.getcwd(), argv]).encode()).hexdigest()[:24]
    root = os.environ.get("ETL_ENGINE_CACHE_DIR")
    # a shared cache folder (read-only projects, tests) keys on the pipeline's folder too
    if root:
        folder = hashlib.sha256(str(pipeline.resolve().parent).encode()).hexdigest()[:16]
        return Path(root) / "answers" / folder / f"{key}.json"
    return pipeline.resolve().parent / ".etl-engine" / "answers" / f"{key}.json"


def _stamp(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def _env_hash(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


def replay(argv: list[str]) -> int | None:
    """Print a stored answer and return its exit code, or None when it must be computed."""
    pipeline = _cacheable(argv)
    if pipeline is None:
        return None
    try:
        entry = json.loads(_entry_path(argv, pipeline).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("format") != CACHE_FORMAT:
        return None
    for path, stamp in entry["paths"].items():
        if _stamp(path) != stamp:
            return None
    for name, digest in entry["env"].items():
        if _env_hash(name) != digest:
            return None
    sys.stdout.write(entry["stdout"])
    sys.stderr.write(entry["stderr"])
    return int(entry["code"])


class _Tee:
    """Writes through to the real stream and keeps a copy."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes):  # click writes bytes to what it takes for a binary stream
            self.parts.append(text.decode("utf-8", "replace"))
            self.stream.flush()
            target: Any = getattr(self.stream, "buffer", self.stream)
            written: int = target.write(text)
            return written
        self.parts.append(text)
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class Recorder:
    """Watches a computed answer: which paths it read, which variables, what it printed."""

    def __init__(self, argv: list[str], pipeline: Path) -> None:
        self.argv = argv
        self.pipeline = pipeline
        self.paths: set[str] = set()
        self.out, self.err = _Tee(sys.stdout), _Tee(sys.stderr)
        sys.stdout, sys.stderr = self.out, self.err  # type: ignore[assignment]
        sys.addaudithook(self._audit)

    @classmethod
    def start(cls, argv: list[str]) -> Recorder | None:
        pipeline = _cacheable(argv)
        if pipeline is None:
            return None
        _observe_settings()
        return cls(argv, pipeline)

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if event == REMOTE_READ:  # an answer that read S3 cannot be checked by stat-ing local paths
            self.paths.add("\0remote")
        if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, Path)):
            path = os.fsdecode(args[0]) if not isinstance(args[0], Path) else str(args[0])
            if event != "open" or not args[1:] or args[1] in (None, "r", "rb") or "w" not in str(args[1]):
                self.paths.add(os.path.abspath(path or "."))

    def finish(self, code: int) -> None:
        """Store a successful answer; a cache that cannot be written never fails the command."""
        sys.stdout, sys.stderr = self.out.stream, self.err.stream
        if code != 0 or "\0remote" in self.paths:
            return
        try:
            self._store(code)
        except Exception:  # the answer was already printed; caching is only an optimisation
            return

    def _store(self, code: int) -> None:
        entry_file = _entry_path(self.argv, self.pipeline)
        # the engine's own modules, imported before the audit hook was in place, count too
        package = Path(__file__).resolve().parent
        self.paths.update(str(p) for p in package.rglob("*.py"))
        stamps = {
            p: s
            for p in sorted(self.paths)
            if (s := _stamp(p)) is not None and not p.startswith(str(entry_file.parent))
        }
        entry = {
            "format": CACHE_FORMAT,
            "code": code,
            "paths": stamps,
            "env": {n: _env_hash(n) for n in sorted(_env_names)},
            "stdout": "".join(self.out.parts),
            "stderr": "".join(self.err.parts),
        }
        try:
            entry_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = entry_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(tmp, entry_file)
        except OSError:
            pass  # a read-only project just answers slowly
