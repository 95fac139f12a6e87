"""DuckDB, the embedded default: a file beside the pipeline, no server, no cloud."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, RunLocked, TargetError
from engine.inputs import LoadFiles
from engine.sources.jsonpaths import JsonField, json_fields, read_columns
from engine.targets._duckdb_json import JsonFiles, explain_files, json_files
from engine.targets.base import Adapter, LoadSpec, TemplateCall
from engine.targets.contract import Capabilities, ErrorLookup, Lock, Option, Publish

if TYPE_CHECKING:
    from engine.diskspace import FileGuard
    from engine.render import SqlRenderer

#: the memory DuckDB may use unless the target says otherwise (a 10M-event run stays under 3 GB)
DEFAULT_MEMORY_LIMIT = "2.5GB"


class DuckDBAdapter(Adapter):
    name = "duckdb"
    sqlglot_dialect = "duckdb"
    # the manifest batch is one JSON text (templates/duckdb/state/record_files.sql): 10,000 files is about
    # 1 MB of SQL, and 20 statements of 500 cost twice as much as one
    capabilities = Capabilities(transactional_ddl=True, files_per_statement=10_000)
    # one process at a time: no other session can hold a view on a table, so a swap in the run's
    # transaction is safe; DuckDB's file lock admits one writer, and that is the run lock
    publish = Publish.SWAP
    lock = Lock.EXCLUSIVE_CONNECTION
    error_lookup = ErrorLookup.RECHECK
    options: ClassVar[dict[str, Option]] = {
        "path": Option("the warehouse file, relative to the pipeline file (or :memory:)", "path"),
        "threads": Option("DuckDB's worker threads", "int"),
        "memory_limit": Option(f"DuckDB's memory limit, e.g. 4GB (default {DEFAULT_MEMORY_LIMIT}); it spills beyond"),
        "temp_directory": Option("where DuckDB spills (default: beside the warehouse)", "path"),
        "schema": Option("the schema everything the engine creates lands in (created when missing)"),
        "preserve_insertion_order": Option(
            "keep rows in the order a statement produced them (default false: faster loads, and memory that"
            " stays within memory_limit)",
            "bool",
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: the file as the first connection found it (engine/diskspace.py)
        self._guard: FileGuard | None = None

    @property
    def path(self) -> str:
        return self.target.option_path("path", "warehouse.duckdb") or "warehouse.duckdb"

    def describe(self) -> str:
        return f"duckdb at {self.path}"

    def missing(self) -> str | None:
        return self.path if self.path != ":memory:" and not os.path.exists(self.path) else None

    def local_file(self) -> str | None:
        return None if self.path == ":memory:" else self.path

    @contextmanager
    def transaction(self, begin: str, commit: str, rollback: str) -> Iterator[None]:
        """The base transaction, watched so a failed run leaves the file no larger (engine/diskspace.py)."""
        try:
            with super().transaction(begin, commit, rollback):
                yield
        except BaseException:
            if self._guard is not None:
                self._guard.rolled_back()
            raise
        if self._guard is not None:
            self._guard.committed()

    def close(self) -> None:
        super().close()
        if self._guard is not None:
            self._guard.after_close()

    def _connect(self) -> Any:
        import duckdb

        if self.path != ":memory:":
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        # Bounded by default: DuckDB alone would take 80% of the machine's memory; with a limit it
        # spills to temp_directory (by default beside the warehouse) instead of growing.
        # Tables are sets: no step relies on the order rows were inserted in (line numbers are read from
        # the files, an id numbered by the user's SQL comes from its ORDER BY). Keeping that order makes
        # DuckDB collect a parallel scan's batches in order: many small files load several times slower,
        # and large inserts hold memory outside its limit. DuckDB's own advice for large loads:
        # https://duckdb.org/docs/stable/guides/performance/how_to_tune_workloads#the-preserve_insertion_order-option
        config: dict[str, Any] = {"memory_limit": DEFAULT_MEMORY_LIMIT, "preserve_insertion_order": False}
        for key in ("threads", "memory_limit", "temp_directory", "preserve_insertion_order"):
            if key in self.target.options:
                config[key] = self.target.option_path(key) if key == "temp_directory" else self.target.options[key]
        config["preserve_insertion_order"] = str(config["preserve_insertion_order"]).lower() in ("true", "1", "yes")
        if self.path != ":memory:":  # each connection watches the file as it finds it
            from engine.diskspace import FileGuard

            self._guard = FileGuard.at_open(self.path)
        try:
            return duckdb.connect(self.path, config=config)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                # DuckDB's file lock is the run lock: one writing process per warehouse file
                raise RunLocked(
                    f"{self.path} is in use by another process (another run, or an open "
                    "session); try again when it ends, or pass --wait SECONDS"
                ) from None
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
        checks: dict[str, Any] = {
            "on_error": source.on_error,
            "source": source.name,
            "raw_limit": RAW_LIMIT,
            "max_errors": MAX_ERRORS if source.max_errors is None else source.max_errors,
        }
        if source.format == "json":
            fields = json_fields(table.columns, files.jsonpaths, source.location)
            sorted_files = json_files(
                files.paths, source.compression, source.json_format, fail=not skip, patterns=files.patterns
            )
            context: dict[str, Any] = {
                "table": table.name,
                "fields": fields,
                "read_columns": read_columns(fields),
                **checks,
                **_checked_json(table, fields, sorted_files),
            }
            if skip:
                return LoadSpec("load_json_checked.sql", context, rejects="rejects/count.sql")
            # large newline-delimited files through read_json, small ones cast straight from their text, the rest
            # checked as text; a failure of any is explained after the fact by the checks of a skip load over
            # every file
            docs = sorted_files.docs
            return LoadSpec(
                "load_json.sql",
                {**context, "bound_text": bool(docs)},
                diagnose="load_json_diagnose.sql",
                diagnose_context={**context, **_checked_json(table, fields, explain_files(sorted_files))},
                # the small files' text, read once by the sniff: json_text.sql reads it from these parameters
                bound=tuple(
                    (f"etl_{kind}_{part}", tuple(p if part == "files" else docs[p] for p in listed))
                    for kind, listed in (("lines", sorted_files.text_lines), ("pretty", sorted_files.text_pretty))
                    for part in ("files", "docs")
                )
                if docs
                else (),
            )
        groups = _by_compression(files.paths, source.compression, files.patterns)
        if source.jsonpaths:
            raise ConfigError([Issue("jsonpaths applies to format json only", source.location)])
        context = {"table": table.name, "groups": groups, "columns": table.columns, **checks}
        if source.format == "csv":
            from engine.sources.csv_header import by_layout

            context["groups"] = by_layout(groups, table, source)
            context.update(
                header=source.header,
                delimiter=source.delimiter,
                quote=source.quote,
                null_string=source.null_string,
                encoding=CSV_ENCODINGS[source.encoding.lower()],
            )
            if skip:
                return LoadSpec("load_csv.sql", context, rejects="rejects/count.sql")
            return LoadSpec("load_csv.sql", context, diagnose="load_csv_diagnose.sql")
        if skip:
            raise ConfigError(
                [
                    Issue(
                        f"source '{source.name}': on_error: skip applies to json and csv sources; "
                        "parquet files carry their own types",
                        source.location,
                        "remove on_error, or cast in a star table's SQL",
                    )
                ]
            )
        return LoadSpec(f"load_{source.format}.sql", context)

    def explain_failure(self, error: TargetError, diagnose: TemplateCall, renderer: SqlRenderer) -> TargetError:
        """A failed fast load (on_error: fail), explained: its first bad records by file, line and reason,
        found by the checks of a skip load run over the same files (ErrorLookup.RECHECK). The explaining
        SQL is long (it reads and checks every line): it is rendered only now, on failure."""
        try:
            statements = renderer.statements(diagnose.template, **diagnose.context)
            for sql in statements[:-1]:
                self.execute(sql)
            rows = self.fetch(statements[-1])
        except TargetError as second:
            return TargetError(
                f"{error.message}\n(could not find the bad record: {second.message})", error.step, error.sql
            )
        if not rows:
            return error
        total, source, keep_original = rows[0][4], rows[0][5], rows[0][6]
        lines = [f"source '{source}' has {total} bad record(s); on_error: fail stops the run at the first:"]
        for file, line, reason, raw, *_ in rows:
            lines.append(f"  {file}:{line if line is not None else '?'}: {reason}; raw {_quoted(raw)}")
        if total > len(rows):
            lines.append(f"  ... and {total - len(rows)} more")
        lines.append("set on_error: skip on the source to load the good records and keep the bad ones in _etl_rejects")
        if keep_original:
            lines.append(f"(DuckDB: {error.message.splitlines()[0]})")
        return TargetError("\n".join(lines), error.step, error.sql)


#: characters of a bad record's text kept in _etl_rejects.raw
RAW_LIMIT = 10000
#: characters of a bad record's text quoted in a message (the whole text is in _etl_rejects)
MESSAGE_RAW_LIMIT = 120


def _quoted(raw: object) -> str:
    text = "" if raw is None else str(raw)
    if len(text) <= MESSAGE_RAW_LIMIT:
        return repr(text)
    return f"{text[:MESSAGE_RAW_LIMIT]!r} ... ({len(text):,} characters)"


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
        checked.append(
            {
                "column": f.column,
                "type": f.type,
                "kind": kind,
                "path": _json_path(f),
                "key": f.key,
                "not_null": f.column in not_null,
                # read through one json_transform of the record: a top-level key no other column reads
                "struct": not nested and top.count(f.key) == 1,
            }
        )
    return {
        "checked_fields": checked,
        "dup_keys": list(dict.fromkeys(f.key for f in fields)),
        "fast_groups": files.fast,
        "text_lines": files.text_lines,
        "text_pretty": files.text_pretty,
        "plain_files": files.plain,
        "gzip_files": files.gzip,
        "multiline_files": files.multiline,
    }


def _json_path(f: JsonField) -> str:
    """DuckDB's path to a field: the bare key at top level (DuckDB reads a path without $ as one key),
    else $ and each step quoted."""
    steps = f.path or (f.key,)
    if len(steps) == 1 and not str(steps[0]).startswith(("$", "/")):
        return str(steps[0])
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else "." + json.dumps(s, ensure_ascii=False) for s in steps)


#: DuckDB's read_csv names for the encodings a source may declare
CSV_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "utf-16": "utf-16",
    "utf-16le": "utf-16",
    "utf-16be": "utf-16",
}


def _by_compression(paths: tuple[str, ...], compression: str, patterns: bool) -> list[tuple[str, list[str]]]:
    """One read per compression: DuckDB's reader takes one setting for all its files and, left to
    itself, knows gzip only by the ``.gz`` name, so listed files are sorted by their magic bytes."""
    if compression != "auto" or patterns:
        return [(compression, list(paths))]
    from engine.sources.stream import is_gzip

    gz = [p for p in paths if is_gzip(p)]
    plain = [p for p in paths if p not in set(gz)]
    return [(c, group) for c, group in (("none", plain), ("gzip", gz)) if group]


ADAPTER = DuckDBAdapter
