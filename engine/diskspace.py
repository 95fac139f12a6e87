"""A warehouse in a local file (DuckDB) and the disk it lives on.

Two guards.  Before a run: the run refuses to start, with a clear message, when the free
space on the warehouse's filesystem is below what the run will need, estimated from the
sizes of the sources' files (a full run builds every table beside the live ones).  After a
failed run: the file must be no larger than the run found it, or a full disk stays full
and even the next no-op run fails at COMMIT.  DuckDB writes a large transaction's rows into
the file before COMMIT and, on ROLLBACK, marks those blocks free without giving them back;
a CHECKPOINT after some committed change (the run's failure record) truncates free blocks at
the end of the file, and where nothing could be committed (the disk is full) the bytes past
the file's size at open belong only to the rolled-back transaction and are cut off here.

``ETL_ENGINE_MIN_FREE_BYTES`` overrides the estimate (``0`` turns the check off).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.errors import TargetError

if TYPE_CHECKING:
    from engine.context import RunContext
    from engine.inputs import FileEntry

#: a gzip'd source holds about this many times its size in text
GZIP_RATIO = 4
#: room for the run's bookkeeping, the WAL and DuckDB's headers, whatever the sources
MARGIN = 16 * 1024 * 1024


def estimate(plan: RunContext, listings: dict[str, tuple[list[FileEntry], list[str]]] | None = None) -> int:
    """Bytes a full run may add to the warehouse's disk: the sources' text (a DuckDB table is smaller than
    the text it was loaded from, so this errs on the safe side) plus a margin.  Remote sources are not
    listed here (that costs a round trip per page); their downloads land in the cache, not in the file.
    Each local source's listing (files and listing notes) is left in ``listings``, so the load that
    follows reads the same files without walking the folder again."""
    from engine.inputs import list_files

    total = 0
    for source in plan.pipeline.sources.values():
        if source.is_remote:
            continue
        notes: list[str] = []
        try:
            entries = list_files(source, notes)
        except Exception:  # a missing folder or no file is the load's to report, with its location
            continue
        if listings is not None:
            listings[source.name] = (entries, notes)
        total += sum(e.size * (GZIP_RATIO if e.key.endswith(".gz") else 1) for e in entries)
    return total + MARGIN


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def refuse_if_short(plan: RunContext, listings: dict[str, tuple[list[FileEntry], list[str]]] | None = None) -> None:
    """Stop before anything starts when the warehouse's disk cannot hold what this run will write (the
    sources' listings it made are left in ``listings``, see estimate)."""
    path = plan.adapter.local_file()
    if path is None:
        return
    override = os.environ.get("ETL_ENGINE_MIN_FREE_BYTES")
    need = int(override) if override and override.isdigit() else estimate(plan, listings)
    if need <= 0:
        return
    folder = os.path.dirname(os.path.abspath(path)) or "."
    while not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    free = shutil.disk_usage(folder).free
    if free < need:
        raise TargetError(
            f"not enough free space for this run: {_size(free)} free on the filesystem of {path}, "
            f"and the run may need about {_size(need)} (the sources' size plus a margin); nothing "
            "was changed. Free some space, or point the target's path at a larger disk "
            "(ETL_ENGINE_MIN_FREE_BYTES=N sets the space required)"
        )


@dataclass
class FileGuard:
    """The warehouse file as a connection found it, so a failed run can leave it no larger."""

    path: str
    size: int | None  # None: no file yet, or a WAL pending (then nothing is cut)
    failed: bool = False
    committed_since: bool = False

    @classmethod
    def at_open(cls, path: str) -> FileGuard:
        clean = os.path.isfile(path) and not _pending_wal(path)
        return cls(path, os.path.getsize(path) if clean else None)

    def rolled_back(self) -> None:
        self.failed, self.committed_since = True, False

    def committed(self) -> None:
        if self.failed:
            self.committed_since = True

    def after_close(self) -> None:
        """Cut the bytes a rolled-back transaction left past the file's size at open.

        Safe only when nothing was committed since the rollback and no WAL is pending: then the
        file's checkpoint is the one it had at open, which references nothing past that size."""
        if not self.failed or self.committed_since or self.size is None or _pending_wal(self.path):
            return
        try:
            if os.path.getsize(self.path) > self.size:
                os.truncate(self.path, self.size)
        except OSError:
            return


def _pending_wal(path: str) -> bool:
    """A write-ahead log with something in it (DuckDB may leave an empty one after a failed write)."""
    try:
        return os.path.getsize(path + ".wal") > 0
    except OSError:
        return False
