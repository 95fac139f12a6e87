"""Reading a warehouse while a run may hold it (``query``, ``history``).

On PostgreSQL and Redshift readers are never blocked by a run: they see the tables as of
the last commit.  A DuckDB file is another matter: DuckDB lets one process open a file for
writing and no other process open it at all meanwhile, so a reader cannot share it with a
run.  Rather than fail with "in use", a reader says that it waits, and waits (up to
``wait`` seconds) for the run to end; then it reads the tables that run published.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.errors import RunLocked
from engine.targets.base import Adapter


def open_to_read(adapter: Adapter, wait: float, say: Callable[[str], None]) -> None:
    """Connect; while a run holds the warehouse, say so once and wait up to ``wait`` seconds."""
    try:
        adapter.open()
        return
    except RunLocked:
        if wait <= 0:
            raise
    say(
        f"waiting for the run that holds {adapter.describe()} to end (DuckDB lets one process use a file "
        f"at a time); up to {wait:g} s, --wait SECONDS to change it"
    )
    try:
        adapter.open(wait)
    except RunLocked as still:
        raise RunLocked(f"{still} (waited {wait:g} s)") from None
