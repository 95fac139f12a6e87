"""A fourth warehouse, written as a test fixture: DuckDB underneath, but declared as a warehouse whose
DDL commits on its own (no transactions), with its own template folder.  It plugs in with no edit to
the engine: ``register("fakewh", FakeWarehouse)`` and a pipeline's ``type: fakewh``.

What it proves: the core reads the adapter contract, never a warehouse's name.  Its runs take the
non-atomic path (shadows built outside a transaction, dropped on failure, published table by table),
its macros override one macro of the shipped ones, and its publish finds dependent views its own way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue
from engine.inputs import LoadFiles
from engine.targets.base import Adapter, LoadSpec
from engine.targets.contract import Capabilities, Lock, Option, Publish

TEMPLATES = Path(__file__).parent / "templates"


class FakeWarehouse(Adapter):
    name = "fakewh"
    sqlglot_dialect = "duckdb"
    capabilities = Capabilities(transactional_ddl=False, incremental=False)
    publish = Publish.RENAME_BACKUP
    lock = Lock.EXCLUSIVE_CONNECTION
    options: ClassVar[dict[str, Option]] = {"path": Option("the DuckDB file underneath", "path", required=True)}
    # its own folder first, then the shipped duckdb one (load templates), then templates/default
    template_dirs: ClassVar[tuple[str | Path, ...]] = (TEMPLATES, "duckdb")

    def describe(self) -> str:
        return f"fakewh at {self.target.option_path('path')}"

    def _connect(self) -> Any:
        import duckdb

        conn = duckdb.connect(self.target.option_path("path") or ":memory:")
        return _AutoCommit(conn)

    def _cursor(self) -> Any:
        return self._conn

    def _release(self, cursor: Any) -> None:
        """The connection is the cursor (as in the duckdb adapter)."""

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles) -> LoadSpec:
        if source.format != "json":
            raise ConfigError([Issue("fakewh loads json only", source.location)])
        return LoadSpec("fake_load.sql", {"table": table.name, "paths": list(files.paths), "columns": table.columns})


class _AutoCommit:
    """A DB-API face over DuckDB in which every statement commits on its own, as on a warehouse
    without transactional DDL: BEGIN, COMMIT and ROLLBACK are refused."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def cursor(self) -> _AutoCommit:
        return self

    def execute(self, sql: str) -> None:
        if sql.strip().upper().split()[0] in ("BEGIN", "COMMIT", "ROLLBACK"):
            raise RuntimeError(f"fakewh has no transactions: {sql}")
        self.result = self.conn.execute(sql)
        self.description = self.result.description
        self.rowcount = -1

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.result.fetchall()
        return rows

    def close(self) -> None:
        self.conn.close()


ADAPTER = FakeWarehouse
