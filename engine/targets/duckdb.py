"""DuckDB, the embedded default: a file beside the pipeline, no server, no cloud."""

from __future__ import annotations

import os
from typing import Any

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue
from engine.inputs import LoadFiles
from engine.sources.jsonpaths import json_fields, read_columns
from engine.targets.base import Adapter, Capabilities, LoadSpec


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
        config: dict[str, Any] = {}
        for key in ("threads", "memory_limit", "temp_directory"):
            if key in self.target.options:
                config[key] = (self.target.option_path(key) if key == "temp_directory"
                               else self.target.options[key])
        try:
            return duckdb.connect(self.path, config=config)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                message = f"{self.path} is in use by another process (is another run going?)"
            raise ConfigError([Issue(message, self.target.location)]) from None

    def _cursor(self) -> Any:
        # A DuckDB "cursor" is a second connection with its own transaction; the run's
        # single transaction needs every statement on the connection itself.
        return self._conn

    def _release(self, cursor: Any) -> None:
        """Nothing to release: the cursor is the connection."""

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles) -> LoadSpec:
        if source.format == "json":
            fields = json_fields(table.columns, files.jsonpaths, source.location)
            return LoadSpec("load_json.sql", {
                "table": table.name, "files": files.paths, "fields": fields,
                "read_columns": read_columns(fields), "json_format": source.json_format,
                "compression": source.compression,
            })
        if source.jsonpaths:
            raise ConfigError([Issue("jsonpaths applies to format json only", source.location)])
        context: dict[str, Any] = {"table": table.name, "files": files.paths, "columns": table.columns,
                   "compression": source.compression}
        if source.format == "csv":
            context.update(header=source.header, delimiter=source.delimiter, quote=source.quote,
                           null_string=source.null_string)
        return LoadSpec(f"load_{source.format}.sql", context)


ADAPTER = DuckDBAdapter
