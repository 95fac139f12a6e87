"""Typing a group of files with DuckDB's sniffers, then rehearsing the engine's load on a sample.

One in-memory DuckDB connection does the sniffing for every group.  The SQL comes from
templates/duckdb/sniff/ (describe, sniff_csv, and the rehearsal loads), rendered with the
engine's own renderer, so quoting is the engine's and this module holds no SQL text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from engine.tools.scaffold.discover import Group, label_of, peek, spread, stem_pattern
from engine.tools.scaffold.model import (
    IDENTIFIER,
    PEEK_BYTES,
    REHEARSAL_ROWS,
    SAMPLE_FILES,
    DataFile,
    DraftColumn,
    DraftSource,
)
from engine.tools.scaffold.naming import column_name, dedupe, portable_type

#: integer columns whose name says they hold a time (ts, created_at, event_time...)
EPOCH_NAME = re.compile(r"^(ts|timestamp|time|epoch)$|_(ts|at|time|timestamp|epoch)$")


def first_error_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------- sniffing


class GroupFailed(Exception):
    """This group cannot be loaded as found; it is left out with a warning, not fatal."""


def _json_layout(f: DataFile) -> tuple[str, bool]:
    """How a JSON file is laid out (for the description), and whether its records are objects."""
    raw = peek(f.path, f.gzip)
    text = raw.decode("utf-8-sig", errors="replace").lstrip()
    if not text:
        return "empty", True
    if text[0] == "[":
        return "array", text[1:].lstrip()[:1] in ("{", "]", "")
    if text[0] != "{":
        return "scalars", False
    lines = [ln for ln in text.splitlines() if ln.strip()]
    try:
        json.loads(lines[0])
        complete = len(raw) < PEEK_BYTES
        body = lines if complete else lines[:-1]
        if all(_parses(ln) for ln in body[1:]):
            return ("one object per file" if len(lines) == 1 else "newline-delimited"), True
    except ValueError:
        pass
    if len(raw) >= PEEK_BYTES:
        return "pretty-printed", True
    decoder = json.JSONDecoder()
    count, pos = 0, 0
    try:
        while pos < len(text):
            _, pos = decoder.raw_decode(text, pos)
            count += 1
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    except ValueError:
        return "pretty-printed", True
    return ("one object per file" if count == 1 else "concatenated objects"), True


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _first_line(f: DataFile) -> str:
    head = peek(f.path, f.gzip).decode("utf-8-sig", errors="replace")
    return head.split("\n", 1)[0].rstrip("\r")


class Sniffer:
    """One in-memory DuckDB connection doing the sniffing and the rehearsals for every group."""

    def __init__(self) -> None:
        import duckdb

        from engine.render import SqlRenderer

        self.con = duckdb.connect(":memory:")
        self.sql = SqlRenderer("duckdb", "duckdb")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.con.execute(sql).fetchall()]

    def describe(self, **read: Any) -> list[tuple[str, str]]:
        """Column names and DuckDB types of a sample, as ``read`` (see sniff/read.sql) reads it."""
        sql = self.sql.template("sniff/describe.sql", columns=[], union_by_name=True, **read)
        return [(str(r[0]), str(r[1])) for r in self.rows(sql)]

    def profile(
        self,
        src: DraftSource,
        sample: list[DataFile],
        read: dict[str, Any],
        columns: list[tuple[str, str]],
        names: list[tuple[DraftColumn, str]],
    ) -> None:
        """The source's rows (estimated from the sample's), which *_id columns are unique in the sample,
        and which integer columns named like times hold epoch seconds or milliseconds."""
        candidates = [(c, n) for c, n in names if c.name == "id" or c.name.endswith("_id")][:8]
        epochs = [(c, n) for c, n in names if c.type in ("integer", "bigint") and EPOCH_NAME.search(c.name)][:4]
        row = self.rows(
            self.sql.template(
                "sniff/profile.sql",
                keys=[n for _, n in candidates],
                epochs=[n for _, n in epochs],
                columns=columns,
                union_by_name=False,
                limit=REHEARSAL_ROWS,
                **read,
            )
        )[0]
        total, limited = int(row[0]), int(row[1])
        for i, (column, _) in enumerate(candidates):
            column.unique = limited > 0 and int(row[2 + 2 * i]) == int(row[3 + 2 * i]) == limited
        for i, (column, _) in enumerate(epochs):
            largest = row[2 + 2 * len(candidates) + i]
            column.epoch = (
                ("s" if 1e8 < largest < 1e10 else "ms" if 1e11 < largest < 1e13 else None)
                if isinstance(largest, int)
                else None
            )
        sampled = sum(f.size for f in sample) or 1
        src.complete = total <= REHEARSAL_ROWS and len(sample) == len([f for f in src.files if f.size])
        src.rows = total if src.complete else round(total * src.size / sampled)

    def rehearsal(self, counted: list[tuple[str, str]], columns: list[tuple[str, str]], **read: Any) -> str:
        return self.sql.template(
            "sniff/rehearse.sql", counted=counted, columns=columns, union_by_name=False, limit=REHEARSAL_ROWS, **read
        )

    # ----- per format

    def json(self, g: Group, sample: list[DataFile]) -> DraftSource:
        layouts: dict[str, int] = {}
        for f in sample:
            layout, objects = _json_layout(f)
            if not objects:
                raise GroupFailed(f"{f.rel}: the records are not JSON objects")
            if layout != "empty":
                layouts[layout] = layouts.get(layout, 0) + 1
        ranked = sorted(layouts, key=lambda k: -layouts[k])
        paths = [f.path for f in sample]
        read = {"format": "json", "files": paths, "compression": g.compression}
        described = self.describe(**read)
        layout = ranked[0] + "".join(f", some {k}" for k in ranked[1:]) if ranked else ""
        src = DraftSource("", g.top, "json", g.files, g.compression, layout=layout, label=g.label)
        names = dedupe(column_name(k, i) for i, (k, _) in enumerate(described))
        for (key, duck), name in zip(described, names, strict=True):
            sql_type, note = portable_type(duck, json_text=True)
            src.columns.append(DraftColumn(name, sql_type, key if key != name else None, note))
        if any(c.original for c in src.columns):
            src.jsonpaths = []
            kept = []
            for c in src.columns:
                key = c.original or c.name
                if "\\" in key or ("'" in key and '"' in key):
                    src.notes.append(f"key {json.dumps(key)} is not loaded: a JSONPath cannot name it")
                    continue
                src.jsonpaths.append(f"$[{json.dumps(key)}]" if "'" in key else f"$['{key}']")
                kept.append(c)
            src.columns = kept

        def load(cols: list[DraftColumn]) -> str:
            keyed = [(c.original or c.name, c.type) for c in cols]
            return self.rehearsal(keyed, keyed, **read)

        self.rehearse(src, load)
        self.profile(
            src,
            sample,
            read,
            [(c.original or c.name, c.type) for c in src.columns],
            [(c, c.original or c.name) for c in src.columns],
        )
        return src

    def csv_dialect(self, f: DataFile, compression: str) -> tuple[str, str, str, bool, int, str | None, str | None]:
        row = self.rows(self.sql.template("sniff/sniff_csv.sql", path=f.path, compression=compression))[0]
        return (
            str(row[0]),
            str(row[1]),
            str(row[2]),
            bool(row[3]),
            int(row[4]),
            row[5] and str(row[5]),
            row[6] and str(row[6]),
        )

    def csv(self, g: Group, files: list[DataFile]) -> DraftSource:
        sample = spread(files, SAMPLE_FILES["csv"])
        delim, quote, escape, header, skip, date_fmt, ts_fmt = self.csv_dialect(sample[0], g.compression)
        quote = '"' if quote in ("(empty)", "") else quote
        src = DraftSource("", g.top, "csv", files, g.compression, header, delim, quote, label=g.label)
        if escape not in ("(empty)", "", quote):
            src.notes.append(f"the sniffer saw {escape!r} as the escape; the loader reads a doubled quote")
        if skip:
            src.notes.append(f"the sniffer skipped {skip} line(s) at the top of {sample[0].rel}")
        paths = [f.path for f in sample]
        read = {
            "format": "csv",
            "files": paths,
            "compression": g.compression,
            "header": header,
            "delimiter": delim,
            "quote": quote,
        }
        described = self.describe(**read)
        names = dedupe(column_name(k, i) for i, (k, _) in enumerate(described))
        for (key, duck), name in zip(described, names, strict=True):
            sql_type, note = portable_type(duck)
            if sql_type == "date" and date_fmt and date_fmt != "%Y-%m-%d":
                sql_type, note = "varchar", f"dates written {date_fmt}; loaded as text"
            if sql_type in ("timestamp", "timestamptz") and ts_fmt and not ts_fmt.startswith("%Y-%m-%d"):
                sql_type, note = "varchar", f"timestamps written {ts_fmt}; loaded as text"
            original = key if key != name and header else None
            src.columns.append(DraftColumn(name, sql_type, original, note))

        def load(cols: list[DraftColumn]) -> str:
            named = [(c.name, c.type) for c in cols]
            return self.rehearsal(named, named, **read)

        self.rehearse(src, load)
        self.profile(src, sample, read, [(c.name, c.type) for c in src.columns], [(c, c.name) for c in src.columns])
        return src

    def parquet(self, g: Group, sample: list[DataFile]) -> DraftSource:
        paths = [f.path for f in sample]
        read = {"format": "parquet", "files": paths, "compression": "auto"}
        described = self.describe(**read)
        src = DraftSource("", g.top, "parquet", g.files, label=g.label)
        for key, duck in described:
            if not IDENTIFIER.match(key):
                # The loader picks parquet columns by name; a name that is not an identifier
                # cannot be declared, and parquet has no JSONPaths-style positional mapping.
                src.notes.append(f"column {json.dumps(key)} is not loaded: not a valid identifier")
                continue
            sql_type, note = portable_type(duck)
            src.columns.append(DraftColumn(key, sql_type, None, note))
        if len({c.name.lower() for c in src.columns}) != len(src.columns):
            raise GroupFailed("column names differ only in case")

        def load(cols: list[DraftColumn]) -> str:
            return self.rehearsal([(c.name, c.type) for c in cols], [], **read)

        self.rehearse(src, load)
        self.profile(src, sample, read, [], [(c, c.name) for c in src.columns])
        return src

    def rehearse(self, src: DraftSource, load: Callable[[list[DraftColumn]], str]) -> None:
        """Run the engine's load on the sample; widen types that fail, as little as it takes.

        Sniffed types can be wrong for the loader (a date format it does not pass on, a value
        the sample's first rows did not show), and a run that fails on the first try is a bad
        start; this finds that now, on the sample, rather than later on the whole data.
        """
        if not src.columns:
            raise GroupFailed("no loadable columns")
        steps: list[tuple[str, Callable[[DraftColumn], bool]]] = [
            ("", lambda c: False),
            ("dates, times and booleans", lambda c: c.type in ("date", "timestamp", "timestamptz", "boolean")),
            ("every column", lambda c: c.type != "varchar"),
        ]
        error: Exception | None = None
        for what, widen in steps:
            trial = [
                DraftColumn(
                    c.name,
                    "varchar",
                    c.original,
                    f"sniffed {c.type}, but the sample did not load as that; loaded as text",
                )
                if widen(c)
                else c
                for c in src.columns
            ]
            try:
                self.rows(load(trial))
            except Exception as exc:  # any DuckDB error: try wider types
                error = error or exc
                continue
            if what:
                src.notes.append(f"{what} widened to varchar: {first_error_line(error)}" if error else what)
            src.columns = trial
            return
        raise GroupFailed(first_error_line(error) if error else "the sample does not load")

    def source(self, g: Group) -> list[DraftSource]:
        """The sources a group becomes: one, or one per distinct header for CSV files."""
        if g.format == "csv":
            sample = spread(g.files, 1)
            if not sample:
                raise GroupFailed("every file is empty")
            header = self.csv_dialect(sample[0], g.compression)[3]
            parts: dict[str, list[DataFile]] = {}
            for f in g.files:
                # Columns are matched by position, so files with different headers cannot share a source.
                parts.setdefault(_first_line(f) if header and f.size else "", []).append(f)
            if len(parts) > 1 and "" in parts:
                parts[next(iter(k for k in parts if k))].extend(parts.pop(""))
            out = []
            for members in parts.values():
                members.sort(key=lambda f: str(f.rel))
                sub = Group(g.top, "csv", g.compression, members, g.label)
                if len(parts) > 1:
                    sub.label = label_of(stem_pattern(members[0].stem)) or g.label
                out.append(self.csv(sub, members))
            return out
        sample = spread(g.files, SAMPLE_FILES[g.format])
        if not sample:
            raise GroupFailed("every file is empty")
        src = self.json(g, sample) if g.format == "json" else self.parquet(g, sample)
        src.sampled = len(sample)
        return [src]
