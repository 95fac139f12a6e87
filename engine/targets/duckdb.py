"""DuckDB, the embedded default: a file beside the pipeline, no server, no cloud."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, RunLocked, TargetError
from engine.inputs import LoadFiles
from engine.sources.jsonpaths import JsonField, json_fields, read_columns
from engine.targets.base import Adapter, Capabilities, LoadSpec
from engine.targets.duckdb_json import JsonFiles, explain_files, json_files

#: the memory DuckDB may use unless the target says otherwise (a 10M-event run stays under 3 GB)
DEFAULT_MEMORY_LIMIT = "2GB"


class DuckDBAdapter(Adapter):
    name = "duckdb"
    sqlglot_dialect = "duckdb"
    capabilities = Capabilities(transactional_ddl=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: staging table -> the template and context that explain a failure of its fast load
        self._diagnoses: dict[str, tuple[str, dict[str, Any]]] = {}

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
        skip = source.on_error == "skip"
        checks: dict[str, Any] = {"on_error": source.on_error, "source": source.name, "raw_limit": RAW_LIMIT,
                                  "max_errors": MAX_ERRORS if source.max_errors is None else source.max_errors}
        if source.format == "json":
            fields = json_fields(table.columns, files.jsonpaths, source.location)
            sorted_files = json_files(files.paths, source.compression, source.json_format, fail=not skip)
            context: dict[str, Any] = {
                "table": table.name, "fields": fields, "read_columns": read_columns(fields), **checks,
                **_checked_json(table, fields, sorted_files),
            }
            if skip:
                return LoadSpec("load_json_checked.sql", context, rejects="rejects/count.sql")
            # large newline-delimited files through read_json, the rest checked as text; a failure of either
            # is explained after the fact by the checks of a skip load over every file
            self._explain(table, "load_json_diagnose.sql",
                          {**context, **_checked_json(table, fields, explain_files(sorted_files))})
            return LoadSpec("load_json.sql", context)
        groups = _by_compression(files.paths, source.compression)
        if source.jsonpaths:
            raise ConfigError([Issue("jsonpaths applies to format json only", source.location)])
        context = {"table": table.name, "groups": groups, "columns": table.columns, **checks}
        if source.format == "csv":
            context.update(header=source.header, delimiter=source.delimiter, quote=source.quote,
                           null_string=source.null_string, encoding=CSV_ENCODINGS[source.encoding.lower()])
            if skip:
                return LoadSpec("load_csv.sql", context, rejects="rejects/count.sql")
            self._explain(table, "load_csv_diagnose.sql", context)
            return LoadSpec("load_csv.sql", context)
        if skip:
            raise ConfigError([Issue(f"source '{source.name}': on_error: skip applies to json and csv sources; "
                                     "parquet files carry their own types", source.location,
                                     "remove on_error, or cast in a star table's SQL")])
        return LoadSpec(f"load_{source.format}.sql", context)

    def _explain(self, table: StagingTable, template: str, context: dict[str, Any]) -> None:
        """Remember how to explain a failure of this load. The explaining SQL is long (it reads and checks
        every line) and rendering it costs more than the fast load's own: it is rendered only on failure."""
        self._diagnoses[table.name] = (template, context)

    def explain_failure(self, error: TargetError, diagnose: tuple[str, ...]) -> TargetError:
        """A failed fast load (on_error: fail), explained: its first bad records by file, line and reason,
        found by the checks of a skip load run over the same files."""
        from engine.render import SqlRenderer

        failed = next((spec for name, spec in self._diagnoses.items() if _statement_of(name, error.sql or "")), None)
        if failed is None:
            return error
        template, context = failed
        try:
            # the shipped templates: the pipeline's own folder is not known here, and this SQL only explains
            statements = SqlRenderer(self.templates(), self.sqlglot_dialect).statements(template, **context)
            for sql in statements[:-1]:
                self.execute(sql)
            rows = self.fetch(statements[-1])
        except TargetError as second:
            return TargetError(f"{error.message}\n(could not find the bad record: {second.message})",
                               error.step, error.sql)
        if not rows:
            return error
        total, source, keep_original = rows[0][4], rows[0][5], rows[0][6]
        lines = [f"source '{source}' has {total} bad record(s); on_error: fail stops the run at the first:"]
        for file, line, reason, raw, *_ in rows:
            lines.append(f"  {file}:{line if line is not None else '?'}: {reason}; raw {raw!r}")
        if total > len(rows):
            lines.append(f"  ... and {total - len(rows)} more")
        lines.append("set on_error: skip on the source to load the good records and keep the bad ones in "
                     "_etl_rejects")
        if keep_original:
            lines.append(f"(DuckDB: {error.message.splitlines()[0]})")
        return TargetError("\n".join(lines), error.step, error.sql)


def _statement_of(table: str, sql: str) -> bool:
    """Whether ``sql`` is one of the statements of ``table``'s load: its INSERTs, or the checked read's
    temp tables and guard (named after the table)."""
    from sqlglot import exp

    def quoted(name: str) -> str:
        return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")

    head = sql.lstrip()[:4000]
    return head.startswith(f"INSERT INTO {quoted(table)} ") or any(
        quoted(f"_etl_{kind}_{table}") in head for kind in ("lines", "gz", "checked"))


#: characters of a bad record's text kept in _etl_rejects.raw
RAW_LIMIT = 10000
#: bad records a skip load tolerates when the source sets no max_errors (Redshift's MAXERROR ceiling)
MAX_ERRORS = 100000
_TEXT_TYPE = re.compile(r"^\s*(varchar|text|string|char|bpchar|character|nvarchar)\b", re.IGNORECASE)


def _checked_json(table: StagingTable, fields: list[JsonField], files: JsonFiles) -> dict[str, Any]:
    """What the checked JSON templates need: each field's JSON path and how it is cast."""
    not_null = {c.name for c in table.columns if c.not_null}
    top = [f.key for f in fields if f.subpath is None]
    checked = []
    for f in fields:
        nested = f.subpath is not None
        if _TEXT_TYPE.match(f.type):
            kind = "text"
        elif f.type.strip().lower() == "json" and not nested:
            kind = "json"
        else:
            # read_json casts a top-level value from its JSON; load_json.sql casts a nested one from its text
            kind = "text_cast" if nested else "json_cast"
        checked.append({"column": f.column, "type": f.type, "kind": kind, "path": _json_path(f), "key": f.key,
                        "not_null": f.column in not_null,
                        # read through one json_transform of the record: a top-level key no other column reads
                        "struct": not nested and top.count(f.key) == 1})
    return {"checked_fields": checked, "dup_keys": list(dict.fromkeys(f.key for f in fields)),
            "fast_groups": files.fast, "plain_files": files.plain, "gzip_files": files.gzip,
            "multiline_files": files.multiline}


def _json_path(f: JsonField) -> str:
    """DuckDB's path to a field: the bare key at top level (DuckDB reads a path without $ as one key),
    else $ and each step quoted."""
    steps = f.path or (f.key,)
    if len(steps) == 1 and not str(steps[0]).startswith(("$", "/")):
        return str(steps[0])
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else "." + json.dumps(s, ensure_ascii=False)
                         for s in steps)


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
