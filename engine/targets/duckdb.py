"""DuckDB, the embedded default: a file beside the pipeline, no server, no cloud."""

from __future__ import annotations

import os
from typing import Any

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, RunLocked
from engine.inputs import LoadFiles
from engine.sources.jsonpaths import json_fields, read_columns
from engine.targets.base import Adapter, Capabilities, LoadSpec

#: the memory DuckDB may use unless the target says otherwise (a 10M-event run stays under 3 GB)
DEFAULT_MEMORY_LIMIT = "2GB"


class DuckDBAdapter(Adapter):
    name = "duckdb"
    sqlglot_dialect = "duckdb"
    capabilities = Capabilities(transactional_ddl=True)

    @property
    def path(self) -> str:
        return self.target.option_path("path", "warehouse.duckdb") or "warehouse.duckdb"

    def describe(self) -> str:
        return f"duckdb at {self.path}"

    def _connect(self) -> Any:
        import duckdb

        if self.path != ":memory:":
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        # Bounded by default: DuckDB alone would take 80% of the machine's memory; with a limit it
        # spills to temp_directory (by default beside the warehouse) instead of growing.
        config: dict[str, Any] = {"memory_limit": DEFAULT_MEMORY_LIMIT}
        for key in ("threads", "memory_limit", "temp_directory"):
            if key in self.target.options:
                config[key] = (self.target.option_path(key) if key == "temp_directory"
                               else self.target.options[key])
        try:
            return duckdb.connect(self.path, config=config)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                # DuckDB's file lock is the run lock: one writing process per warehouse file
                raise RunLocked(f"{self.path} is in use by another process (another run, or an open "
                                "session); try again when it ends, or pass --wait SECONDS") from None
            raise ConfigError([Issue(message, self.target.location)]) from None

    def _interrupted(self, exc: Exception) -> bool:
        # DuckDB catches SIGINT itself and stops the query with this error (a RuntimeError in 2.x)
        return type(exc).__name__ == "InterruptException" or str(exc).strip() == "Query interrupted"

    def _cursor(self) -> Any:
        # A DuckDB "cursor" is a second connection with its own transaction; the run's
        # single transaction needs every statement on the connection itself.
        return self._conn

    def _release(self, cursor: Any) -> None:
        """Nothing to release: the cursor is the connection."""

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles) -> LoadSpec:
        groups = _by_compression(files.paths, source.compression)
        if source.format == "json":
            fields = json_fields(table.columns, files.jsonpaths, source.location)
            return LoadSpec("load_json.sql", {
                "table": table.name, "groups": groups, "fields": fields,
                "read_columns": read_columns(fields), "json_format": source.json_format,
            })
        if source.jsonpaths:
            raise ConfigError([Issue("jsonpaths applies to format json only", source.location)])
        context: dict[str, Any] = {"table": table.name, "groups": groups, "columns": table.columns}
        if source.format == "csv":
            context.update(header=source.header, delimiter=source.delimiter, quote=source.quote,
                           null_string=source.null_string, encoding=CSV_ENCODINGS[source.encoding.lower()])
        return LoadSpec(f"load_{source.format}.sql", context)


#: DuckDB's read_csv names for the encodings a source may declare
CSV_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "latin-1": "latin-1", "latin1": "latin-1",
                 "utf-16": "utf-16", "utf-16le": "utf-16", "utf-16be": "utf-16"}


def _by_compression(paths: tuple[str, ...], compression: str) -> list[tuple[str, list[str]]]:
    """One read per compression: DuckDB's reader takes one setting for all its files and, left to
    itself, knows gzip only by the ``.gz`` name, so listed files are sorted by their magic bytes."""
    if compression != "auto" or any(ch in p for p in paths for ch in "*?["):
        return [(compression, list(paths))]
    from engine.sources.stream import is_gzip

    gz = [p for p in paths if is_gzip(p)]
    plain = [p for p in paths if p not in set(gz)]
    return [(c, group) for c, group in (("none", plain), ("gzip", gz)) if group]


ADAPTER = DuckDBAdapter
