"""PostgreSQL on psycopg 3: a server, local files streamed to it with COPY FROM STDIN.

The server cannot read the client's files, so each load is one COPY fed by the
engine (file by file, never a whole source in memory) followed by one
INSERT ... SELECT: set-based, no row-by-row INSERT.  Connection settings are
target options, normally ``${PGHOST}``-style references; any left out fall back to
libpq's own PG* environment variables.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, TargetError
from engine.inputs import LoadFiles
from engine.sources.jsonpaths import JsonField, json_fields
from engine.sources.stream import Feed
from engine.targets.base import Adapter, LoadSpec
from engine.targets.contract import Capabilities, Lock, Option, Publish

#: target options passed to libpq as connection parameters
CONNECTION_KEYS = (
    "host",
    "port",
    "dbname",
    "user",
    "password",
    "sslmode",
    "connect_timeout",
    "application_name",
    "options",
)
#: work_mem of the run's session unless the target's work_mem: option says otherwise
WORK_MEM = "256MB"


class PostgresAdapter(Adapter):
    name = "postgres"
    sqlglot_dialect = "postgres"
    # staging tables UNLOGGED: at 1M events the staging INSERT spends 6.3 s of server CPU instead of 7.2-8.0 s
    # and the run writes half the WAL (284 MB instead of 570 MB); docs/targets.md says what a crash costs
    capabilities = Capabilities(transactional_ddl=True, unlogged_staging=True)
    # other sessions read the live tables while a run builds, and users hang views and grants on them
    publish = Publish.RENAME_BACKUP
    # pg_try_advisory_xact_lock: per pipeline, released with the transaction or a dead session
    lock = Lock.TRY
    options: ClassVar[dict[str, Option]] = {
        "dsn": Option("a libpq connection string or URI (secrets in it are redacted)", "secret"),
        "host": Option("server host (default: libpq's PGHOST)"),
        "port": Option("server port", "int"),
        "dbname": Option("database name"),
        "database": Option("database name (the same as dbname)"),
        "user": Option("user name"),
        "password": Option("password, as ${VAR}", "secret"),
        "sslmode": Option("libpq sslmode: disable, require, verify-full, ..."),
        "connect_timeout": Option("seconds to wait for a connection", "int"),
        "application_name": Option("shown in pg_stat_activity"),
        "options": Option("libpq options, e.g. -c statement_timeout=0"),
        "schema": Option("the schema everything the engine creates lands in (created when missing)"),
        "work_mem": Option(f"memory per sort or hash of the run's session (default {WORK_MEM}; the server's is 4MB)"),
    }

    def connection_params(self) -> dict[str, str]:
        params = {key: value for key in CONNECTION_KEYS if (value := self.option(key)) not in (None, "")}
        if "database" in self.target.options and "dbname" not in params:
            params["dbname"] = self.option("database") or ""
        # the window sorts and hash joins of a bulk build spill to disk at the server's 4MB default. The
        # options given (the target's options:, else libpq's PGOPTIONS, which an explicit one would hide)
        # come after, so their own -c work_mem wins
        given = params.get("options") or os.environ.get("PGOPTIONS")
        params["options"] = " ".join(filter(None, [f"-c work_mem={self.option('work_mem') or WORK_MEM}", given]))
        return params

    def describe(self) -> str:
        p = {k: v for k, v in self.connection_params().items() if k in ("host", "port", "dbname", "user")}
        where = f"{p.get('user', '')}@{p.get('host', '(libpq default)')}:{p.get('port', '5432')}"
        return f"postgres {where}/{p.get('dbname', '')}".rstrip("/")

    def _connect(self) -> Any:
        import psycopg

        try:
            # autocommit: the runner's explicit BEGIN/COMMIT are the only transaction boundaries
            return psycopg.connect(conninfo=self.option("dsn") or "", autocommit=True, **self.connection_params())  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            raise TargetError(f"cannot connect to {self.describe()}: {self._error_text(exc)}") from None

    def _execute(self, cursor: Any, sql: str, feed: Feed | None) -> None:
        if feed is None or not _reads_stdin(sql):
            cursor.execute(sql)
            return
        with cursor.copy(sql) as copy:
            if feed.kind == "json":
                # COPY's text format: a newline-delimited file streams as bytes, not a row at a time
                for rows in feed.json_copy_rows():
                    copy.write(rows)
            else:
                for chunk in feed.csv_chunks():
                    copy.write(chunk)

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles) -> LoadSpec:
        if source.on_error == "skip":
            raise ConfigError(
                [
                    Issue(
                        f"source '{source.name}': on_error: skip is not supported on the postgres "
                        "target yet (the duckdb target has it)",
                        source.location,
                        "remove on_error (a bad record then fails the run), or load with duckdb",
                    )
                ]
            )
        patterns = files.paths
        buffer = f"_etl_load_{table.name}"
        if source.format == "json":
            fields = json_fields(table.columns, files.jsonpaths, source.location)
            return LoadSpec(
                "load_json.sql",
                {"table": table.name, "buffer": buffer, "fields": fields, "record": record_columns(fields)},
                Feed(patterns, "json", source.compression),
            )
        if source.jsonpaths:
            raise ConfigError([Issue("jsonpaths applies to format json only", source.location)])
        if source.format == "parquet":
            raise ConfigError(
                [
                    Issue(
                        f"source '{source.name}': the postgres target loads json and csv; "
                        "parquet needs a warehouse that reads it (duckdb, redshift)",
                        source.location,
                    )
                ]
            )
        from engine.sources.csv_header import copy_layout

        columns, reorder = copy_layout(patterns, table, source)
        return LoadSpec(
            "load_csv.sql",
            {
                "table": table.name,
                "columns": columns,
                "delimiter": source.delimiter,
                "quote": source.quote,
                "null_string": source.null_string,
            },
            Feed(
                patterns,
                "csv",
                source.compression,
                header=source.header,
                encoding=source.encoding,
                reorder=reorder,
                delimiter=source.delimiter,
                quote=source.quote,
            ),
        )


def record_columns(fields: list[JsonField]) -> dict[str, str]:
    """The top-level keys json_to_record reads, and each one's type: the staging column's type where every
    column reading the key directly has it, text where they disagree (each column casts), json where a
    column digs into the key."""
    types: dict[str, set[str]] = {}
    for f in fields:
        types.setdefault(f.key, set()).add("json" if f.subpath is not None else f.type)
    return {
        key: next(iter(kinds)) if len(kinds) == 1 else ("json" if "json" in kinds else "text")
        for key, kinds in types.items()
    }


def _reads_stdin(sql: str) -> bool:
    words = sql.upper().split()
    return bool(words) and words[0] == "COPY" and "STDIN" in words


ADAPTER = PostgresAdapter
