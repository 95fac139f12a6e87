"""``etl-engine init``: a first pipeline file drafted from a folder of data files.

Typing out sources and staging columns by hand is the slow, error-prone part of
starting a pipeline, and DuckDB already guesses formats and types well.  So init
walks the folder, groups like files into sources (by top-level subfolder, or by
file-name pattern for files at the top), lets DuckDB's sniffers type a *sample*
of each group, then rehearses the engine's own load statement on that sample and
widens any type that would not load.  What it writes must pass ``validate`` and
load with ``run`` as is; the star schema is left as a commented stub, because
only the user knows what the facts and dimensions are.

Only ``init`` imports this module, and duckdb only inside functions, so
``validate`` keeps starting fast.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from engine.errors import UsageError

if TYPE_CHECKING:
    from engine.context import PlannedRun

Format = Literal["json", "csv", "parquet"]

DATA_SUFFIXES: dict[str, Format] = {
    ".json": "json", ".jsonl": "json", ".ndjson": "json",
    ".csv": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".parq": "parquet", ".pq": "parquet",
}
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
#: files per source handed to DuckDB's sniffer; types come from these, not from every file
SAMPLE_FILES = {"json": 16, "csv": 4, "parquet": 16}
#: rows of the sample the rehearsal load reads
REHEARSAL_ROWS = 20_000
#: files at the folder's top level form one source per name pattern, up to this many
MAX_TOP_LEVEL_GROUPS = 12
#: bytes read to recognise a file or a JSON layout
PEEK_BYTES = 1 << 16
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: words YAML 1.1 (PyYAML) reads as booleans or null; such keys must be quoted
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"}
_TOKENS = re.compile(r"[-_. ]+|[^-_. ]+")
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
_SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint", "UTINYINT": "smallint", "SMALLINT": "smallint",
    "USMALLINT": "integer", "INTEGER": "integer",
    "UINTEGER": "bigint", "BIGINT": "bigint",
    "UBIGINT": "decimal(38,0)", "HUGEINT": "decimal(38,0)", "UHUGEINT": "decimal(38,0)",
    "FLOAT": "real", "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp", "TIMESTAMP_S": "timestamp", "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIMESTAMPTZ": "timestamptz",
    "VARCHAR": "varchar",
}


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DataFile:
    """One file that looks like data, as found on disk."""

    path: str               # absolute (not symlink-resolved, as the loader's glob sees it)
    rel: PurePosixPath      # relative to the inspected folder
    format: Format
    gzip: bool
    #: "gzip" when only the magic bytes say so (DuckDB's "auto" goes by the name), else "auto"
    compression: str
    size: int
    #: the data suffix as written (".json.gz"; "" for a name without one)
    suffix: str

    @property
    def stem(self) -> str:
        name = self.rel.name
        return name[: len(name) - len(self.suffix)] if self.suffix else name


@dataclass(frozen=True)
class Skipped:
    rel: str
    reason: str


@dataclass
class DraftColumn:
    name: str
    type: str
    #: the key or header the column comes from, when it differs from ``name``
    original: str | None = None
    note: str | None = None


@dataclass
class DraftSource:
    """A source and its staging table, as init will write them."""

    name: str
    top: str                  # subfolder of the data root holding the files; "" for the root itself
    format: Format
    files: list[DataFile]
    compression: str = "auto"
    header: bool = True
    delimiter: str = ","
    quote: str = '"'
    layout: str = ""
    label: str = ""           # a name suggested by the files' name pattern
    columns: list[DraftColumn] = field(default_factory=list)
    include: list[str] | None = None
    jsonpaths: list[str] | None = None
    jsonpaths_file: str | None = None
    notes: list[str] = field(default_factory=list)
    sampled: int = 0

    @property
    def staging(self) -> str:
        return f"staging_{self.name}"

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class Inspection:
    folder: Path              # absolute
    found: int                # data files found, including any in groups left out
    sources: list[DraftSource]
    skipped: list[Skipped]
    warnings: list[str]
    seconds: float

    @property
    def data_files(self) -> int:
        return sum(len(s.files) for s in self.sources)


@dataclass
class InitResult:
    inspection: Inspection
    output: Path
    written: list[Path]
    plan: PlannedRun


# ---------------------------------------------------------------------------- discovery


def _peek(path: str, gzipped: bool) -> bytes:
    try:
        if gzipped:
            with gzip.open(path, "rb") as handle:
                return handle.read(PEEK_BYTES)
        with open(path, "rb") as handle:
            return handle.read(PEEK_BYTES)
    except (OSError, EOFError):
        return b""


def _classify(path: str, name: str) -> tuple[Format, str, bool] | str:
    """(format, data suffix, gzip) for a data file, or why it is not one.

    The name decides, because the loader's globs go by name too; gzip is also recognised by
    its magic bytes, since DuckDB's ``compression = 'auto'`` would not see it.
    """
    lower = name.lower()
    named_gz = lower.endswith(".gz")
    base = lower[:-3] if named_gz else lower
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    gzipped = named_gz or magic[:2] == GZIP_MAGIC
    ext = os.path.splitext(base)[1]
    if ext in DATA_SUFFIXES:
        fmt = DATA_SUFFIXES[ext]
        if fmt == "parquet" and gzipped:
            return "gzip-compressed parquet (parquet compresses inside the file)"
        return fmt, name[len(base) - len(ext):], gzipped
    if ext:
        return "not a data file"
    # No extension at all: trust the content, but only for unmistakable starts.
    head = _peek(path, gzipped).lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = name[len(base):]
    if not gzipped and magic == PARQUET_MAGIC:
        return "parquet", suffix, False
    if head[:1] in (b"{", b"["):
        return "json", suffix, gzipped
    return "not a data file"


def _is_jsonpaths(path: str, gzipped: bool) -> bool:
    """A Redshift JSONPaths file describes other files; it is not data to load."""
    name = os.path.basename(path).lower()
    if "jsonpath" not in name and "json_path" not in name:
        return False
    try:
        data = json.loads(_peek(path, gzipped).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("jsonpaths"), list)


def discover(folder: Path) -> tuple[list[DataFile], list[Skipped]]:
    """Every data file under ``folder``, in a stable order, and what was passed over and why.

    Hidden entries and ``_``-prefixed ones (``_SUCCESS``, ``_delta_log``) are left out:
    they are bookkeeping of the tools that wrote the data, not data.
    """
    root = os.path.abspath(folder)
    found: list[DataFile] = []
    skipped: list[Skipped] = []
    for current, dirs, names in os.walk(root):
        rel_dir = PurePosixPath(Path(os.path.relpath(current, root)).as_posix())
        keep = []
        for d in sorted(dirs):
            if d.startswith((".", "_")):
                skipped.append(Skipped(str(rel_dir / d) + "/", "hidden or bookkeeping folder"))
            else:
                keep.append(d)
        dirs[:] = keep
        for name in sorted(names):
            path = os.path.join(current, name)
            rel = rel_dir / name if str(rel_dir) != "." else PurePosixPath(name)
            if name.startswith((".", "_")):
                skipped.append(Skipped(str(rel), "hidden or bookkeeping file"))
                continue
            if not os.path.isfile(path):
                continue
            kind = _classify(path, name)
            if isinstance(kind, str):
                skipped.append(Skipped(str(rel), kind))
                continue
            fmt, suffix, gzipped = kind
            if fmt == "json" and _is_jsonpaths(path, gzipped):
                skipped.append(Skipped(str(rel), "a JSONPaths file"))
                continue
            compression = "gzip" if gzipped and not name.lower().endswith(".gz") else "auto"
            found.append(DataFile(path, rel, fmt, gzipped, compression, os.path.getsize(path), suffix))
    return found, skipped


# ---------------------------------------------------------------------------- grouping


def stem_pattern(stem: str) -> str:
    """The file name with every token holding a digit made ``*``, so that daily, numbered or
    id-named files (dates, part numbers, track ids) fall into one group."""
    return "".join("*" if any(ch.isdigit() for ch in tok) else tok for tok in _TOKENS.findall(stem))


def _label(pattern: str) -> str:
    return "_".join(t for t in re.split(r"[-_. ]+", pattern) if t and "*" not in t)


@dataclass
class _Group:
    top: str
    format: Format
    compression: str
    files: list[DataFile]
    label: str


def group_files(files: list[DataFile]) -> list[_Group]:
    """Like files together: one group per top-level subfolder and format, and at the top
    level one per file-name pattern (``2018-11-*-events.json``), unless there are so many
    patterns that the names are ids rather than kinds."""
    buckets: dict[tuple[str, Format, str], list[DataFile]] = {}
    for f in files:
        top = f.rel.parts[0] if len(f.rel.parts) > 1 else ""
        buckets.setdefault((top, f.format, f.compression), []).append(f)
    groups: list[_Group] = []
    for (top, fmt, compression), members in buckets.items():
        if top:
            groups.append(_Group(top, fmt, compression, members, _label(stem_pattern(top))))
            continue
        by_pattern: dict[str, list[DataFile]] = {}
        for f in members:
            by_pattern.setdefault(stem_pattern(f.stem), []).append(f)
        if len(by_pattern) > MAX_TOP_LEVEL_GROUPS:
            groups.append(_Group("", fmt, compression, members, ""))
        else:
            groups.extend(_Group("", fmt, compression, fs, _label(p)) for p, fs in by_pattern.items())
    return groups


# ---------------------------------------------------------------------------- names and types


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def table_name(text: str) -> str:
    """A lower snake_case identifier for a source or table, from a folder or file name."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", _ascii(text))
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return text[:48].rstrip("_")


def column_name(key: str, index: int) -> str:
    """A valid identifier for ``key``: the key itself when it is one (camelCase kept, since JSON
    columns are matched to keys by name and a renamed one needs a JSONPaths mapping)."""
    if IDENTIFIER.match(key):
        return key
    text = re.sub(r"[^A-Za-z0-9_]+", "_", _ascii(key)).strip("_")
    if not text:
        return f"column_{index + 1}"
    if text[0].isdigit():
        text = "_" + text
    return text[:63]


def _dedupe(names: Iterable[str]) -> list[str]:
    """Names made distinct ignoring case, as the warehouses compare unquoted names."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            suffix = f"_{n}"
            candidate = name[: 63 - len(suffix)] + suffix
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def portable_type(duck: str, json_text: bool = False) -> tuple[str, str | None]:
    """The pipeline's type for a DuckDB type, and a note when something is lost on the way."""
    upper = duck.strip().upper()
    if upper in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[upper], None
    match = _DECIMAL.match(upper)
    if match:
        return f"decimal({match.group(1)},{match.group(2)})", None
    if upper.startswith(("STRUCT", "MAP", "UNION")) or upper.endswith("]"):
        return "varchar", "nested; loaded as JSON text" if json_text else "nested; loaded as text"
    if upper in ('"NULL"', "NULL"):
        return "varchar", "always null in the sample"
    if upper == "JSON":
        return "varchar", "JSON text"
    return "varchar", f"{duck.lower()} in the files; loaded as text"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(paths: Sequence[str]) -> str:
    return "[" + ", ".join(_lit(p) for p in paths) + "]"


def _struct(pairs: Sequence[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{_lit(k)}: {_lit(t.upper())}" for k, t in pairs) + "}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _spread(items: Sequence[DataFile], k: int) -> list[DataFile]:
    """Up to ``k`` non-empty files spread over the group (first, last, evenly between), so that
    a layout that changed over time shows up in the sample; empty files would tell nothing."""
    pool = [f for f in items if f.size > 0]
    if len(pool) <= k:
        return pool
    if k == 1:
        return pool[:1]
    step = (len(pool) - 1) / (k - 1)
    return [pool[round(i * step)] for i in range(k)]


def _first_error_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------- sniffing


class _GroupFailed(Exception):
    """This group cannot be loaded as found; it is left out with a warning, not fatal."""


def _json_layout(f: DataFile) -> tuple[str, bool]:
    """How a JSON file is laid out (for the description), and whether its records are objects."""
    raw = _peek(f.path, f.gzip)
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
    head = _peek(f.path, f.gzip).decode("utf-8-sig", errors="replace")
    return head.split("\n", 1)[0].rstrip("\r")


class _Sniffer:
    """One in-memory DuckDB connection doing the sniffing and the rehearsals for every group."""

    def __init__(self) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.con.execute(sql).fetchall()]

    def describe(self, sql: str) -> list[tuple[str, str]]:
        return [(str(r[0]), str(r[1])) for r in self.rows(f"DESCRIBE SELECT * FROM {sql}")]

    # ----- per format

    def json(self, g: _Group, sample: list[DataFile]) -> DraftSource:
        layouts: dict[str, int] = {}
        for f in sample:
            layout, objects = _json_layout(f)
            if not objects:
                raise _GroupFailed(f"{f.rel}: the records are not JSON objects")
            if layout != "empty":
                layouts[layout] = layouts.get(layout, 0) + 1
        ranked = sorted(layouts, key=lambda k: -layouts[k])
        paths = [f.path for f in sample]
        described = self.describe(f"read_json({_list(paths)}, format = 'auto', union_by_name = true, "
                                  f"compression = {_lit(g.compression)})")
        layout = ranked[0] + "".join(f", some {k}" for k in ranked[1:]) if ranked else ""
        src = DraftSource("", g.top, "json", g.files, g.compression, layout=layout, label=g.label)
        names = _dedupe(column_name(k, i) for i, (k, _) in enumerate(described))
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
            read = _struct([(c.original or c.name, c.type) for c in cols])
            counts = ", ".join(f"count({_ident(c.original or c.name)})" for c in cols)
            return (f"SELECT {counts} FROM (SELECT * FROM read_json({_list(paths)}, format = 'auto', "
                    f"columns = {read}, compression = {_lit(g.compression)}, union_by_name = false) "
                    f"LIMIT {REHEARSAL_ROWS})")

        self.rehearse(src, load)
        return src

    def csv_dialect(self, f: DataFile, compression: str) -> tuple[str, str, str, bool, int, str | None, str | None]:
        row = self.rows(f"SELECT Delimiter, Quote, Escape, HasHeader, SkipRows, DateFormat, TimestampFormat "
                        f"FROM sniff_csv({_lit(f.path)}, compression = {_lit(compression)})")[0]
        return (str(row[0]), str(row[1]), str(row[2]), bool(row[3]), int(row[4]),
                row[5] and str(row[5]), row[6] and str(row[6]))

    def csv(self, g: _Group, files: list[DataFile]) -> DraftSource:
        sample = _spread(files, SAMPLE_FILES["csv"])
        delim, quote, escape, header, skip, date_fmt, ts_fmt = self.csv_dialect(sample[0], g.compression)
        quote = '"' if quote in ("(empty)", "") else quote
        src = DraftSource("", g.top, "csv", files, g.compression, header, delim, quote, label=g.label)
        if escape not in ("(empty)", "", quote):
            src.notes.append(f"the sniffer saw {escape!r} as the escape; the loader reads a doubled quote")
        if skip:
            src.notes.append(f"the sniffer skipped {skip} line(s) at the top of {sample[0].rel}")
        paths = [f.path for f in sample]
        options = (f"header = {str(header).lower()}, delim = {_lit(delim)}, quote = {_lit(quote)}, "
                   f"escape = {_lit(quote)}, compression = {_lit(g.compression)}")
        described = self.describe(f"read_csv({_list(paths)}, {options}, union_by_name = true)")
        names = _dedupe(column_name(k, i) for i, (k, _) in enumerate(described))
        for (key, duck), name in zip(described, names, strict=True):
            sql_type, note = portable_type(duck)
            if sql_type == "date" and date_fmt and date_fmt != "%Y-%m-%d":
                sql_type, note = "varchar", f"dates written {date_fmt}; loaded as text"
            if sql_type in ("timestamp", "timestamptz") and ts_fmt and not ts_fmt.startswith("%Y-%m-%d"):
                sql_type, note = "varchar", f"timestamps written {ts_fmt}; loaded as text"
            original = key if key != name and header else None
            src.columns.append(DraftColumn(name, sql_type, original, note))

        def load(cols: list[DraftColumn]) -> str:
            read = _struct([(c.name, c.type) for c in cols])
            counts = ", ".join(f"count({_ident(c.name)})" for c in cols)
            return (f"SELECT {counts} FROM (SELECT * FROM read_csv({_list(paths)}, {options}, columns = {read}) "
                    f"LIMIT {REHEARSAL_ROWS})")

        self.rehearse(src, load)
        return src

    def parquet(self, g: _Group, sample: list[DataFile]) -> DraftSource:
        paths = [f.path for f in sample]
        described = self.describe(f"read_parquet({_list(paths)}, union_by_name = true)")
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
            raise _GroupFailed("column names differ only in case")

        def load(cols: list[DraftColumn]) -> str:
            counts = ", ".join(f"count(CAST({_ident(c.name)} AS {c.type.upper()}))" for c in cols)
            return f"SELECT {counts} FROM (SELECT * FROM read_parquet({_list(paths)}) LIMIT {REHEARSAL_ROWS})"

        self.rehearse(src, load)
        return src

    def rehearse(self, src: DraftSource, load: Callable[[list[DraftColumn]], str]) -> None:
        """Run the engine's load on the sample; widen types that fail, as little as it takes.

        Sniffed types can be wrong for the loader (a date format it does not pass on, a value
        the sample's first rows did not show), and a run that fails on the first try is a bad
        start; this finds that now, on the sample, rather than later on the whole data.
        """
        if not src.columns:
            raise _GroupFailed("no loadable columns")
        steps: list[tuple[str, Callable[[DraftColumn], bool]]] = [
            ("", lambda c: False),
            ("dates, times and booleans", lambda c: c.type in ("date", "timestamp", "timestamptz", "boolean")),
            ("every column", lambda c: c.type != "varchar"),
        ]
        error: Exception | None = None
        for what, widen in steps:
            trial = [DraftColumn(c.name, "varchar", c.original, f"sniffed {c.type}, but the sample "
                                 "did not load as that; loaded as text") if widen(c) else c for c in src.columns]
            try:
                self.rows(load(trial))
            except Exception as exc:  # any DuckDB error: try wider types
                error = error or exc
                continue
            if what:
                src.notes.append(f"{what} widened to varchar: {_first_error_line(error)}" if error else what)
            src.columns = trial
            return
        raise _GroupFailed(_first_error_line(error) if error else "the sample does not load")

    def source(self, g: _Group) -> list[DraftSource]:
        """The sources a group becomes: one, or one per distinct header for CSV files."""
        if g.format == "csv":
            sample = _spread(g.files, 1)
            if not sample:
                raise _GroupFailed("every file is empty")
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
                sub = _Group(g.top, "csv", g.compression, members, g.label)
                if len(parts) > 1:
                    sub.label = _label(stem_pattern(members[0].stem)) or g.label
                out.append(self.csv(sub, members))
            return out
        sample = _spread(g.files, SAMPLE_FILES[g.format])
        if not sample:
            raise _GroupFailed("every file is empty")
        src = self.json(g, sample) if g.format == "json" else self.parquet(g, sample)
        src.sampled = len(sample)
        return [src]


# ---------------------------------------------------------------------------- include globs and names


def _matches(base: str, patterns: Sequence[str]) -> list[str]:
    from engine.sources.stream import expand

    return sorted(expand([os.path.join(base, p) for p in patterns]))


def _glob_for(f: DataFile, base: str, by_suffix: bool = False) -> str:
    """``**/*.tsv`` (by_suffix) or ``**/2018-*-*-events.json``: a glob for ``f`` and files like it."""
    rel = PurePosixPath(Path(os.path.relpath(f.path, base)).as_posix())
    stem = "*" if by_suffix else "".join("*" if any(ch.isdigit() for ch in tok) else glob.escape(tok)
                                         for tok in _TOKENS.findall(f.stem))
    name = stem + glob.escape(f.suffix)
    return ("**/" if len(rel.parts) > 1 else "") + name


def include_for(src: DraftSource, folder: str) -> list[str] | None:
    """The shortest ``include:`` that makes the loader read exactly this source's files.

    None when the format's default globs already do; else the files' name patterns;
    else the files themselves, listed.
    """
    from engine.sources.files import DEFAULT_INCLUDE

    base = os.path.join(folder, src.top) if src.top else folder
    want = sorted(f.path for f in src.files)
    if _matches(base, DEFAULT_INCLUDE[src.format]) == want:
        return None
    for patterns in (sorted({_glob_for(f, base) for f in src.files}),
                     sorted({_glob_for(f, base, by_suffix=True) for f in src.files})):
        if len(patterns) <= 8 and _matches(base, patterns) == want:
            return patterns
    return [glob.escape(Path(os.path.relpath(f.path, base)).as_posix()) for f in src.files]


def name_sources(sources: list[DraftSource]) -> None:
    """Source names from folders or name patterns, made unique by format, then pattern, then number."""
    for s in sources:
        s.name = table_name(s.top) if s.top else table_name(s.label)
    qualifiers: list[Callable[[DraftSource], str]] = [lambda s: s.format, lambda s: s.label]
    for qualify in qualifiers:
        clashes: dict[str, list[DraftSource]] = {}
        for s in sources:
            clashes.setdefault(s.name, []).append(s)
        for same in clashes.values():
            if len(same) > 1 and len({qualify(s) for s in same}) > 1:
                for s in same:
                    s.name = table_name(f"{s.name}_{qualify(s)}")
    seen: dict[str, int] = {}
    for s in sources:
        base = s.name or s.format
        if not base[0].isalpha():
            base = f"{s.format}_{base}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        s.name = base[:50] if n == 1 else f"{base[:47]}_{n}"


def inspect_folder(folder: Path) -> Inspection:
    """Find, group and type the data files under ``folder``; nothing is written."""
    started = time.perf_counter()
    if not folder.exists():
        raise UsageError(f"folder not found: {folder}")
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder} (init inspects a folder of data files)")
    root = Path(os.path.abspath(folder))
    files, skipped = discover(root)
    if not files:
        seen = f"; passed over {len(skipped)}: {_skipped_summary(skipped)}" if skipped else ""
        raise UsageError(f"no data files in {folder}: looked for JSON (.json, .jsonl, .ndjson), CSV (.csv, .tsv) "
                         f"and Parquet (.parquet) files, optionally gzipped{seen}")
    sniffer = _Sniffer()
    sources: list[DraftSource] = []
    warnings: list[str] = []
    for g in group_files(files):
        where = f"{g.top}/" if g.top else str(g.files[0].rel) + (
            f" and {len(g.files) - 1} more like it" if len(g.files) > 1 else "")
        try:
            sources.extend(sniffer.source(g))
        except _GroupFailed as exc:
            warnings.append(f"left out {len(g.files)} {g.format} file(s) in {where}: {exc}")
        except Exception as exc:  # odd data drops its group, not init
            warnings.append(f"left out {len(g.files)} {g.format} file(s) in {where}: {_first_error_line(exc)}")
    if not sources:
        raise UsageError(f"no loadable data in {folder}: " + "; ".join(warnings))
    name_sources(sources)
    sources.sort(key=lambda s: s.name)
    for s in sources:
        s.include = include_for(s, str(root))
    return Inspection(root, len(files), sources, skipped, warnings, time.perf_counter() - started)


def _skipped_summary(skipped: list[Skipped], limit: int = 4) -> str:
    shown = ", ".join(f"{s.rel} ({s.reason})" for s in skipped[:limit])
    return shown + (f" and {len(skipped) - limit} more" if len(skipped) > limit else "")


# ---------------------------------------------------------------------------- writing


def _y(text: str) -> str:
    """A YAML scalar for ``text``: plain when that reads back as the same string."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _char(c: str) -> str:
    """A one-character option in the quotes that read best: '"' rather than "\\"", "\\t" for a tab."""
    return f"'{c}'" if c.isprintable() and c != "'" else json.dumps(c)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size):,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n:,} bytes"


def _describe(s: DraftSource) -> str:
    kind = {"json": "JSON", "csv": "CSV", "parquet": "Parquet"}[s.format]
    n = len(s.files)
    text = f"{n:,} {kind} file{'s' if n != 1 else ''}, {human_size(s.size)}"
    if any(f.gzip for f in s.files):
        text += ", gzipped" if all(f.gzip for f in s.files) else ", some gzipped"
    if s.layout:
        text += f"; {s.layout}"
    if s.format == "csv":
        text += "; header row" if s.header else "; no header row"
    if s.sampled and s.sampled < n:
        text += f"; types sniffed from {s.sampled} of them"
    return text


def _sql_name(name: str) -> str:
    """A column as written in a stub SELECT: quoted only where a keyword would clash."""
    from sqlglot.tokens import Tokenizer

    return _ident(name) if name.upper() in Tokenizer.KEYWORDS else name


def _by_size(sources: list[DraftSource]) -> list[DraftSource]:
    """Biggest first: the biggest source is the likeliest fact, the next a dimension."""
    return sorted(sources, key=lambda s: -s.size)


def _dimension(sources: list[DraftSource]) -> tuple[DraftSource, DraftColumn, DraftColumn | None]:
    """The stub dimension's source, key (the first *id column) and one attribute."""
    ordered = _by_size(sources)
    src = ordered[1] if len(ordered) > 1 else ordered[0]
    key = next((c for c in src.columns if c.name.lower().endswith("id")), src.columns[0])
    attr = next((c for c in src.columns if c is not key and c.type == "varchar"),
                next((c for c in src.columns if c is not key), None))
    return src, key, attr


def _star_stub(sources: list[DraftSource]) -> list[str]:
    """A fact and a dimension built from the real staging columns, commented out.

    Removing the leading ``# `` gives a section that validates, so the user edits a working
    example instead of starting from a blank page.
    """
    fact_src = _by_size(sources)[0]
    dim_src, key, attr = _dimension(sources)
    dim = "dim_" + (table_name(re.sub(r"(?i)_?id$", "", key.name)) or table_name(dim_src.name))
    fk = next((c for c in fact_src.columns if c.name.lower() == key.name.lower()), None)
    fact_cols = ([fk] if fk else []) + [c for c in fact_src.columns if c is not fk][: 4 - (1 if fk else 0)]
    fact = f"fact_{fact_src.name}"
    surrogate = f"{fact_src.name}_key"
    order_by = _sql_name(fact_cols[0].name)
    lines = [
        "# Star tables: what the warehouse is for. Below is a sketch built from the staging",
        "# columns; remove the leading '# ' to try it, then make it say what your data means.",
        "# Each table's SELECT reads staging tables; the engine derives the build order from",
        "# the SQL and checks every primary key (unique, not null) and foreign key itself.",
        "# star:",
        f"#   {fact}:",
        "#     kind: fact",
        f"#     description: One row per {fact_src.name} record.",
        f"#     primary_key: {surrogate}",
    ]
    if fk:
        lines.append(f"#     foreign_keys: {{{_y(fk.name)}: {dim}}}")
    lines += ["#     columns:", f"#       {surrogate}: {{type: bigint, not_null: true}}"]
    lines += [f"#       {_y(c.name)}: {c.type}" for c in fact_cols]
    selected = ", ".join(_sql_name(c.name) for c in fact_cols)
    lines += [
        "#     sql: |",
        f"#       select row_number() over (order by {order_by}) as {surrogate}, {selected}",
        f"#       from {fact_src.staging}",
        f"#   {dim}:",
        "#     kind: dimension",
        f"#     primary_key: {_y(key.name)}",
        "#     columns:",
        f"#       {_y(key.name)}: {{type: {key.type}, not_null: true}}",
    ]
    if attr:
        lines.append(f"#       {_y(attr.name)}: {attr.type}")
    kq = _sql_name(key.name)
    picked = f", max({_sql_name(attr.name)}) as {_sql_name(attr.name)}" if attr else ""
    lines += [
        "#     sql: |",
        f"#       select {kq}{picked}",
        f"#       from {dim_src.staging}",
        f"#       where {kq} is not null",
        f"#       group by {kq}",
    ]
    return lines


def _checks_stub(sources: list[DraftSource]) -> list[str]:
    lines = [
        "# Checks run before anything is published; a failing one rolls the run back.",
        "# checks:",
    ]
    lines += [f"#   - row_count: {{table: {s.staging}, min: 1}}" for s in sources]
    dim_src, key, _ = _dimension(sources)
    lines.append(f"#   - not_null: {{table: {dim_src.staging}, columns: [{_y(key.name)}]}}")
    lines.append(f"#   - unique: {{table: {dim_src.staging}, columns: [{_y(key.name)}]}}")
    lines.append("#     severity: warn     # reported, but does not stop the run")
    return lines


def render_pipeline(ins: Inspection, data_root: str, name: str, folder_as_given: str,
                    pipeline_file: str = "pipeline.yaml") -> str:
    """The pipeline file's text, with the comments that make it a starting point."""
    counts: dict[str, int] = {}
    for s in ins.sources:
        counts[s.format] = counts.get(s.format, 0) + len(s.files)
    kinds = ", ".join(f"{n:,} {fmt}" for fmt, n in counts.items())
    total = sum(counts.values())
    out = [
        f"# Drafted by `etl-engine init {folder_as_given}`: inspected {ins.found + len(ins.skipped):,} file(s)",
        f"# under that folder; {total:,} data file(s) ({kinds}) make {len(ins.sources)} source(s).",
    ]
    if ins.skipped:
        out.append(f"# Passed over {len(ins.skipped)}: {_skipped_summary(ins.skipped, 3)}.")
    for w in ins.warnings:
        out.append(f"# Warning: {w}.")
    out += [
        "# Column types were sniffed by DuckDB from a sample of each source's files and",
        "# loaded once on that sample; check them against the whole data, then add star",
        "# tables and checks (sketches at the end of this file).",
        f"# Next: etl-engine validate {pipeline_file}   (touches no database)",
        f"# Then: etl-engine run {pipeline_file}        (loads the staging tables into warehouse.duckdb)",
        "version: 1",
        f"name: {name}",
        f"description: {json.dumps(f'The data files in {folder_as_given}, loaded into staging tables.')}",
        "",
        "vars:",
        "  # Relative to this file's folder; --var data_root=PATH (relative to the working"
        if not Path(data_root).is_absolute() else "  # --var data_root=PATH (relative to the working",
        "  # directory) points the same pipeline at another copy of the data.",
        f"  data_root: {json.dumps(data_root, ensure_ascii=False)}",
        "",
        *([] if not (Path(data_root).is_absolute() or data_root.startswith("..")) else [
            "# The data is outside this file's folder: sources may read it because it is allowed here.",
            'allowed_roots: ["{{ data_root }}"]', ""]),
        "default_target: local",
        "targets:",
        "  local:",
        "    type: duckdb",
        "    path: warehouse.duckdb",
        "",
        "sources:",
    ]
    for s in ins.sources:
        path = "{{ data_root }}" + (f"/{s.top}" if s.top else "")
        out += [
            f"  {s.name}:",
            f"    description: {json.dumps(_describe(s), ensure_ascii=False)}",
            f"    path: {json.dumps(path, ensure_ascii=False)}",
            f"    format: {s.format}",
        ]
        if s.include is not None:
            if len(s.include) == 1:
                out.append(f"    include: {json.dumps(s.include[0], ensure_ascii=False)}")
            else:
                out.append("    include:")
                out += [f"      - {json.dumps(p, ensure_ascii=False)}" for p in s.include]
        if s.compression != "auto":
            out.append(f"    compression: {s.compression}     # gzip, though the names do not say so")
        if s.format == "csv":
            out += [
                f"    header: {str(s.header).lower()}",
                f"    delimiter: {_char(s.delimiter)}",
                f"    quote: {_char(s.quote)}",
            ]
        if s.jsonpaths_file:
            out.append(f"    jsonpaths: {json.dumps(s.jsonpaths_file, ensure_ascii=False)}"
                       "   # maps keys that are not identifiers to columns, by position")
        out += [f"    # {n}" for n in s.notes]
    out += ["", "staging:"]
    for s in ins.sources:
        how = {"json": "matched to JSON keys by name" if not s.jsonpaths else "in the JSONPaths file's order",
               "csv": "in file order (matched by position; the header row is skipped)" if s.header
               else "in file order (matched by position)",
               "parquet": "matched to Parquet columns by name"}[s.format]
        out += [f"  {s.staging}:", f"    source: {s.name}", f"    columns:            # {how}"]
        width = max(len(f"      {_y(c.name)}: {c.type}") for c in s.columns) + 2
        for c in s.columns:
            line = f"      {_y(c.name)}: {c.type}"
            remarks = [r for r in (f"{json.dumps(c.original, ensure_ascii=False)} in the files"
                                   if c.original else None, c.note) if r]
            out.append(line.ljust(width) + "# " + "; ".join(remarks) if remarks else line)
    out += ["", *_star_stub(ins.sources), "", *_checks_stub(ins.sources)]
    return "\n".join(out) + "\n"


def pipeline_name(folder: Path) -> str:
    name = table_name(Path(os.path.abspath(folder)).name)
    if not name:
        return "pipeline"
    return name if name[0].isalpha() else f"p_{name}"


def data_root_for(folder: Path, output: Path) -> str:
    """FOLDER for ``vars.data_root``: as given when absolute, else relative to the output's folder
    (where the engine resolves a relative var written in the file)."""
    if folder.is_absolute():
        return folder.as_posix()
    try:
        rel = os.path.relpath(os.path.abspath(folder), os.path.abspath(output.parent))
    except ValueError:  # another drive on Windows: no relative path exists
        return Path(os.path.abspath(folder)).as_posix()
    return Path(rel).as_posix()


def init_pipeline(folder: Path, output: Path, force: bool = False) -> InitResult:
    """Inspect ``folder``, write the pipeline (and any JSONPaths files) and validate what was written."""
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give --output the path of the file to write")
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; pass --force to overwrite it")
    ins = inspect_folder(folder)
    out_dir = output.parent
    stem = output.stem
    extra: dict[Path, str] = {}
    for s in ins.sources:
        if s.jsonpaths is not None:
            s.jsonpaths_file = f"{stem}.{s.name}.jsonpaths.json"
            extra[out_dir / s.jsonpaths_file] = json.dumps({"jsonpaths": s.jsonpaths}, indent=4) + "\n"
    clobbered = [p for p in extra if p.exists()]
    if clobbered and not force:
        raise UsageError(f"{clobbered[0]} already exists; pass --force to overwrite it")
    text = render_pipeline(ins, data_root_for(folder, output), pipeline_name(folder), folder.as_posix(),
                           output.as_posix())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for path, content in extra.items():
            path.write_text(content, encoding="utf-8")
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or output}: {exc.strerror}") from None
    from engine.config import load_pipeline
    from engine.plan import build_plan

    plan = build_plan(load_pipeline(output))
    return InitResult(ins, output, [output, *extra], plan)


def show_summary(result: InitResult) -> None:
    """What was found, on stderr: the YAML is the real output, this is the receipt."""
    from rich.markup import escape

    from engine.output import console

    ins = result.inspection
    err = console(stderr=True)
    left_out = f", {ins.found - ins.data_files:,} left out" if ins.found > ins.data_files else ""
    err.print(f"inspected {escape(str(ins.folder))}: {ins.data_files:,} data files in {len(ins.sources)} "
              f"source(s){left_out}, {len(ins.skipped)} passed over ({ins.seconds:.2f}s)")
    width = max(len(s.name) for s in ins.sources)
    for s in ins.sources:
        files = f"{len(s.files):,} file{'s' if len(s.files) != 1 else ''}"
        err.print(f"  {escape(s.name):<{width}}  {s.format:<7} {files:>12}  {len(s.columns):>3} columns"
                  f"  -> {s.staging}")
    for w in ins.warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}")
    for path in result.written:
        err.print(f"wrote {escape(str(path))}")
    plan = result.plan
    err.print(f"[green]valid[/]: {len(plan.pipeline.tables)} tables, {len(plan.steps)} steps; next: "
              f"etl-engine run {escape(str(result.output))}")

