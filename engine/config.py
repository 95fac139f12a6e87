"""The typed pipeline model, built once from a validated document and passed on.

Nothing downstream of this module looks at raw YAML: it reads these frozen
dataclasses, each of which keeps the Location it came from so later stages
(semantic checks, the graph, the runner) can still point at the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from engine.errors import ConfigError, Issue, Location
from engine.location import Document, YamlPath, load_yaml
from engine.variables import Renderer, Vars


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool = False
    encode: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class S3Options:
    """How to reach a source's bucket; unset fields fall back to boto3's own settings."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    anonymous: bool | None = None


@dataclass(frozen=True)
class Source:
    name: str
    path: str
    format: Literal["json", "csv", "parquet"]
    location: Location
    jsonpaths: str | None = None
    json_format: str = "auto"
    include: tuple[str, ...] = ()
    compression: str = "auto"
    header: bool = True
    delimiter: str = ","
    quote: str = '"'
    null_string: str | None = None
    encoding: str = "utf-8"
    timeformat: str | None = None
    dateformat: str | None = None
    max_errors: int | None = None
    #: a bad record fails the run ("fail") or is written to _etl_rejects and skipped ("skip")
    on_error: str = "fail"
    region: str | None = None
    manifest: str | None = None
    compupdate: bool | None = None
    statupdate: bool | None = None
    s3: S3Options | None = None
    exclude: tuple[str, ...] = ()
    #: Redshift COPY options: ACCEPTINVCHARS (True or the replacement character), TRUNCATECOLUMNS,
    #: BLANKSASNULL, EMPTYASNULL, and JSON keys matched exactly or ignoring case ('auto ignorecase')
    accept_invalid_chars: bool | str | None = None
    truncate_columns: bool = False
    blanks_as_null: bool = False
    empty_as_null: bool = False
    json_keys: str = "exact"
    #: Redshift: a writable s3:// prefix for the COPY manifests of incremental runs (else the target's)
    manifest_prefix: str | None = None
    description: str | None = None
    #: CSV with a header: staging columns filled by header name ("name") or by position
    match_columns: Literal["name", "position"] = "name"

    @property
    def by_header(self) -> bool:
        """Whether a load maps a CSV file's fields to the staging columns by the header's names."""
        return self.format == "csv" and self.header and self.match_columns == "name"

    @property
    def is_remote(self) -> bool:
        return "://" in self.path


@dataclass(frozen=True)
class StagingTable:
    name: str
    source: str
    columns: tuple[Column, ...]
    location: Location
    #: privilege -> grantees (``role``, ``group name``), re-applied at every publish; None: the pipeline's
    grants: dict[str, tuple[str, ...]] | None = None
    description: str | None = None
    #: where each column is declared, for errors about the files that fill it
    column_locations: dict[str, Location] = field(default_factory=dict, compare=False, hash=False, repr=False)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str | None
    location: Location


@dataclass(frozen=True)
class Distribution:
    style: Literal["auto", "even", "all", "key"]
    key: str | None = None


@dataclass(frozen=True)
class SortKey:
    keys: tuple[str, ...]
    style: Literal["compound", "interleaved"] = "compound"


@dataclass(frozen=True)
class StarTable:
    name: str
    kind: Literal["fact", "dimension", "view"]
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    distribution: Distribution | None
    sort: SortKey | None
    sql: str
    sql_file: Path | None
    location: Location
    #: privilege -> grantees, re-applied at every publish; None: the pipeline's ``grants:``
    grants: dict[str, tuple[str, ...]] | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One data check; ``kind`` picks which of the optional fields apply."""

    name: str
    kind: Literal["row_count", "unique", "not_null", "relationships", "accepted_values", "sql"]
    table: str
    location: Location
    severity: Literal["error", "warn"] = "error"
    columns: tuple[str, ...] = ()
    equals: int | None = None
    min: int | None = None
    max: int | None = None
    equals_sql: str | None = None
    to_table: str | None = None
    to_column: str | None = None
    #: accepted_values: the values the column may hold (NULL is not_null's business)
    values: tuple[Any, ...] = ()
    #: row_count change against the rows before this run, in percent
    max_drop_pct: float | None = None
    max_growth_pct: float | None = None
    #: sql: a SELECT whose rows are the failures
    query: str | None = None
    declared: bool = True
    skipped_reason: str | None = None


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    location: Location
    description: str | None = None


@dataclass(frozen=True)
class Target:
    name: str
    type: str
    options: dict[str, str]
    option_bases: dict[str, Path]
    location: Location
    option_locations: dict[str, Location] = field(default_factory=dict)

    def option_path(self, key: str, default: str | None = None) -> str | None:
        """A path option made absolute against the folder its first part came from."""
        value = self.options.get(key, default)
        if value is None or "://" in value or value == ":memory:":
            return value
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = self.option_bases.get(key, self.location.file.parent if self.location.file else Path.cwd()) / path
        import os

        return os.path.normpath(path)


@dataclass(frozen=True)
class Pipeline:
    file: Path
    name: str
    vars: dict[str, Any]
    targets: dict[str, Target]
    default_target: str
    sources: dict[str, Source]
    staging: dict[str, StagingTable]
    star: dict[str, StarTable]
    checks: tuple[Check, ...]
    queries: dict[str, Query]
    templates_dir: Path | None
    document: Document = field(repr=False, compare=False)
    #: privilege -> grantees for every table without grants of its own (as dbt's ``grants:``)
    grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: folders beyond the pipeline's own and the working directory its sources may read (engine/paths.py)
    allowed_roots: tuple[Path, ...] = ()
    description: str | None = None

    @property
    def root(self) -> Path:
        return self.file.parent

    def table_columns(self, name: str) -> tuple[Column, ...]:
        if name in self.staging:
            return self.staging[name].columns
        return self.star[name].columns

    @property
    def tables(self) -> list[str]:
        return [*self.staging, *self.star]

    def target(self, name: str | None) -> Target:
        from engine.validate import suggest

        chosen = name or self.default_target
        if chosen not in self.targets:
            raise ConfigError([Issue(f"unknown target '{chosen}'", self.document.locate(("targets",)),
                                     suggest(chosen, list(self.targets))
                                     or f"defined targets: {', '.join(self.targets)}")])
        return self.targets[chosen]


def _as_tuple(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _grants(raw: dict[str, Any] | None) -> dict[str, tuple[str, ...]] | None:
    """``{select: [role_a, group b]}`` as privilege -> grantees; None where the YAML says nothing."""
    if raw is None:
        return None
    return {str(privilege).lower(): _as_tuple(who) for privilege, who in raw.items()}


def _columns(raw: dict[str, Any]) -> tuple[Column, ...]:
    out = []
    for name, spec in raw.items():
        if isinstance(spec, str):
            out.append(Column(name, spec.lower()))
        else:
            out.append(Column(name, spec["type"].lower(), bool(spec.get("not_null", False)),
                              spec.get("encode"), spec.get("description")))
    return tuple(out)


class _Builder:
    """Turns the validated document into the model; one method per section."""

    def __init__(self, doc: Document, renderer: Renderer) -> None:
        self.doc = doc
        self.r = renderer
        self.root = doc.file.parent

    def loc(self, *path: str | int, key: bool = False) -> Location:
        p: YamlPath = tuple(path)
        return self.doc.locate(p, key=key)

    def source(self, name: str, raw: dict[str, Any]) -> Source:
        where = self.loc("sources", name)
        jsonpaths = raw.get("jsonpaths")
        return Source(
            name=name,
            path=self.r.path(raw["path"], self.loc("sources", name, "path"), self.root),
            format=raw["format"],
            location=where,
            jsonpaths=self.r.path(jsonpaths, self.loc("sources", name, "jsonpaths"), self.root)
            if jsonpaths else None,
            json_format=raw.get("json_format", "auto"),
            include=tuple(self.r.render(g, where) for g in _as_tuple(raw.get("include"))),
            compression=raw.get("compression", "auto"),
            header=raw.get("header", True),
            delimiter=raw.get("delimiter", ","),
            quote=raw.get("quote", '"'),
            null_string=raw.get("null_string"),
            encoding=raw.get("encoding", "utf-8"),
            timeformat=raw.get("timeformat"),
            dateformat=raw.get("dateformat"),
            max_errors=raw.get("max_errors"),
            on_error=raw.get("on_error", "fail"),
            region=raw.get("region"),
            manifest=self.r.render(raw["manifest"], self.loc("sources", name, "manifest"))
            if raw.get("manifest") else None,
            compupdate=raw.get("compupdate"),
            statupdate=raw.get("statupdate"),
            s3=self.s3_options(raw["s3"], where) if raw.get("s3") else None,
            exclude=tuple(self.r.render(g, where) for g in _as_tuple(raw.get("exclude"))),
            accept_invalid_chars=raw.get("accept_invalid_chars"),
            truncate_columns=raw.get("truncate_columns", False),
            blanks_as_null=raw.get("blanks_as_null", False),
            empty_as_null=raw.get("empty_as_null", False),
            json_keys=raw.get("json_keys", "exact"),
            manifest_prefix=self.r.render(raw["manifest_prefix"], self.loc("sources", name, "manifest_prefix"))
            if raw.get("manifest_prefix") else None,
            description=raw.get("description"),
            match_columns=raw.get("match_columns", "name"),
        )

    def s3_options(self, raw: dict[str, Any], where: Location) -> S3Options:
        def text(key: str) -> str | None:
            return self.r.render(raw[key], where) if raw.get(key) else None

        return S3Options(text("region"), text("profile"), text("endpoint_url"), raw.get("anonymous"))

    def sql_text(self, text: str, *path: str) -> tuple[str, Path | None]:
        """The SQL itself, or the contents of the .sql file it names (relative to the pipeline)."""
        if not (text.strip().lower().endswith(".sql") and "\n" not in text.strip()):
            return text, None
        sql_file = Path(self.r.path(text.strip(), self.loc(*path), self.root))
        try:
            return sql_file.read_text(encoding="utf-8"), sql_file
        except OSError as exc:
            raise ConfigError([Issue(f"cannot read SQL file {sql_file}: {exc.strerror}", self.loc(*path))]) from None
        except UnicodeDecodeError as exc:
            raise ConfigError([Issue(f"SQL file {sql_file} is not UTF-8 text (byte {exc.start})",
                                     self.loc(*path))]) from None

    def star(self, name: str, raw: dict[str, Any]) -> StarTable:
        sql_text, sql_file = self.sql_text(raw["sql"], "star", name, "sql")
        fks = []
        for column, ref in (raw.get("foreign_keys") or {}).items():
            table, ref_col = (ref, None) if isinstance(ref, str) else (ref["table"], ref.get("column"))
            fks.append(ForeignKey(column, table, ref_col, self.loc("star", name, "foreign_keys", column)))
        dist_raw = raw.get("distribution")
        dist = None
        if isinstance(dist_raw, str):
            dist = Distribution(dist_raw)  # type: ignore[arg-type]
        elif isinstance(dist_raw, dict):
            dist = Distribution("key", dist_raw["key"])
        sort_raw = raw.get("sort")
        sort = None
        if isinstance(sort_raw, list):
            sort = SortKey(tuple(sort_raw))
        elif isinstance(sort_raw, dict):
            sort = SortKey(tuple(sort_raw["keys"]), sort_raw.get("style", "compound"))
        return StarTable(name, raw["kind"], _columns(raw["columns"]), _as_tuple(raw["primary_key"]),
                         tuple(fks), dist, sort, sql_text, sql_file, self.loc("star", name),
                         grants=_grants(raw.get("grants")), description=raw.get("description"),
                         tags=tuple(raw.get("tags") or ()))

    def check(self, index: int, raw: dict[str, Any]) -> Check:
        kinds = [k for k in ("row_count", "unique", "not_null", "relationships", "accepted_values", "sql")
                 if k in raw]
        if len(kinds) != 1:
            raise ConfigError([Issue("a check needs exactly one of row_count, unique, not_null, "
                                     "relationships, accepted_values, sql", self.loc("checks", index))])
        kind = kinds[0]
        body = raw[kind]
        where = self.loc("checks", index, kind)
        table = body["table"]
        common: dict[str, Any] = {"kind": kind, "table": table, "location": where,
                                  "severity": raw.get("severity", "error")}
        if kind == "row_count":
            bounds: dict[str, Any] = {}
            missing = []
            for bound in ("equals", "min", "max"):
                if bound in body:
                    value = self._int_or_none(body[bound], ("checks", index, kind, bound))
                    bounds[bound] = value
                    if value is None:
                        missing.append(str(body[bound]).replace("{{", "").replace("}}", "").strip())
            change = body.get("change") or {}
            bounds["max_drop_pct"] = change.get("max_drop_pct")
            bounds["max_growth_pct"] = change.get("max_growth_pct")
            detail = "_".join(k for k in ("equals", "min", "max", "equals_sql", "change") if k in body)
            name = raw.get("name") or f"row_count_{table}_{detail or 'any'}"
            skipped = (f"{', '.join(missing)} not set"
                       if missing and not any(v is not None for v in bounds.values())
                       and "equals_sql" not in body else None)
            return Check(name=name, **common, **bounds, equals_sql=body.get("equals_sql"),
                         skipped_reason=skipped)
        if kind == "accepted_values":
            name = raw.get("name") or f"accepted_values_{table}_{body['column']}"
            return Check(name=name, **common, columns=(body["column"],), values=tuple(body["values"]))
        if kind == "sql":
            return Check(name=raw.get("name") or f"sql_{table}_{index + 1}", **common, query=body["query"])
        if kind == "relationships":
            name = raw.get("name") or f"relationships_{table}_{body['column']}"
            return Check(name=name, **common, columns=(body["column"],), to_table=body["to"],
                         to_column=body.get("field"))
        cols = _as_tuple(body["columns"])
        name = raw.get("name") or f"{kind}_{table}_{'_'.join(cols)}"
        return Check(name=name, **common, columns=cols)

    def _int_or_none(self, value: Any, path: YamlPath) -> int | None:
        if value is None or isinstance(value, int):
            return value
        text = self.r.render(str(value), self.doc.locate(path), lenient=True).strip()
        if text in ("", "None", "none", "null"):
            return None
        try:
            return int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise ConfigError([Issue(f"expected a whole number, got {text!r}",
                                     self.doc.locate(path))]) from None

    def target(self, name: str, raw: dict[str, Any]) -> Target:
        options: dict[str, str] = {}
        bases: dict[str, Path] = {}
        for key, value in raw.items():
            if key == "type":
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            options[key] = self.r.render(text, self.loc("targets", name, key))
            bases[key] = self.r.base_for(text, self.root)
        return Target(name, raw["type"], options, bases, self.loc("targets", name),
                      {key: self.loc("targets", name, key) for key in options})


def _merge_vars_files(doc: Document, base: Vars, cli: Vars, extra_files: list[Path]) -> Vars:
    """Layer vars: pipeline defaults < vars files (in order) < --var."""
    root = doc.file.parent
    merged = Vars()
    for name, value in (doc.data.get("vars") or {}).items():
        merged.set(name, value, root)
    for name, value in cli.values.items():
        merged.set(name, value, cli.origins[name])
    renderer = Renderer(merged)
    files: list[tuple[Path, bool, Location]] = []
    for i, entry in enumerate(doc.data.get("vars_files") or []):
        where = doc.locate(("vars_files", i, "path"))
        files.append((Path(renderer.path(entry["path"], where, root)), bool(entry.get("optional")), where))
    files += [(f, False, Location(f)) for f in extra_files]
    known = set(doc.data.get("vars") or {})
    layered = Vars(dict(merged.values), dict(merged.origins))
    for path, optional, where in files:
        if not path.exists():
            if optional:
                continue
            raise ConfigError([Issue(f"vars file not found: {path}", where)])
        vdoc = load_yaml(path)
        if not isinstance(vdoc.data, dict):
            raise ConfigError([Issue("a vars file must hold a mapping", vdoc.locate(()))])
        for name, value in vdoc.data.items():
            layered.set(name, value, path.parent)
            known.add(name)
    if not doc.data.get("free_vars"):
        from engine.variables import referenced_vars, unknown_cli_vars

        known |= referenced_vars(doc.data, root.resolve())
        unknown = unknown_cli_vars(cli, known, doc.locate(("vars",), key=True))
        if unknown:
            raise ConfigError(unknown)
    for name, value in cli.values.items():
        layered.set(name, value, cli.origins[name])
    return layered


def build_pipeline(doc: Document, cli_vars: Vars | None = None,
                   vars_files: list[Path] | None = None, allow: tuple[Path, ...] = ()) -> Pipeline:
    """The model for a document that has passed schema validation; ``allow``: folders the user allows."""
    from engine.paths import explicit_roots

    data = doc.data
    variables = _merge_vars_files(doc, Vars(), cli_vars or Vars(), vars_files or [])
    renderer = Renderer(variables)
    b = _Builder(doc, renderer)
    targets = {n: b.target(n, raw) for n, raw in data["targets"].items()}
    default_target = data.get("default_target") or next(iter(targets))
    if default_target not in targets:
        from engine.validate import suggest

        raise ConfigError([Issue(f"default_target '{default_target}' is not defined under targets",
                                 doc.locate(("default_target",)), suggest(default_target, list(targets)))])
    queries = {}
    for qname, raw in (data.get("queries") or {}).items():
        sql, desc = (raw, None) if isinstance(raw, str) else (raw["sql"], raw.get("description"))
        sql, _file = b.sql_text(sql, "queries", qname, *(() if isinstance(raw, str) else ("sql",)))
        queries[qname] = Query(qname, sql, doc.locate(("queries", qname)), desc)
    templates = data.get("templates")
    if templates:
        folder = Path(renderer.path(templates, doc.locate(("templates",)), doc.file.parent))
        if not folder.is_dir():
            raise ConfigError([Issue(f"templates folder not found: {folder}", doc.locate(("templates",)))])
    return Pipeline(
        file=doc.file,
        name=data["name"],
        vars=dict(variables.values),
        targets=targets,
        default_target=default_target,
        sources={n: b.source(n, raw) for n, raw in data["sources"].items()},
        staging={n: StagingTable(n, raw["source"], _columns(raw["columns"]), b.loc("staging", n),
                                 grants=_grants(raw.get("grants")), description=raw.get("description"),
                                 column_locations={c: b.loc("staging", n, "columns", c, key=True)
                                                   for c in raw["columns"]},
                                 tags=tuple(raw.get("tags") or ()))
                 for n, raw in data["staging"].items()},
        star={n: b.star(n, raw) for n, raw in (data.get("star") or {}).items()},
        checks=tuple(b.check(i, raw) for i, raw in enumerate(data.get("checks") or [])),
        queries=queries,
        templates_dir=Path(renderer.path(templates, doc.locate(("templates",)), doc.file.parent))
        if templates else None,
        document=doc,
        grants=_grants(data.get("grants")) or {},
        allowed_roots=(*explicit_roots([renderer.path(str(r), doc.locate(("allowed_roots", i)), doc.file.parent)
                                        for i, r in enumerate(data.get("allowed_roots") or [])], doc.file.parent),
                       *(root for name, value in (cli_vars or Vars()).values.items()
                         for root in explicit_roots([value], (cli_vars or Vars()).origins.get(name, Path.cwd()))),
                       *allow),
        description=data.get("description"),
    )


def load_pipeline(file: str | Path, cli_vars: Vars | None = None,
                  vars_files: list[Path] | None = None, allow: tuple[Path, ...] = ()) -> Pipeline:
    """Load, schema-validate and build the model for ``file``; semantic checks come after.

    ``allow``: folders outside the pipeline's and the working directory its sources may read."""
    from engine.validate import validate_document

    path = Path(file).resolve()
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise ConfigError([Issue("a pipeline file must be a mapping of sections", doc.locate(()))])
    validate_document(doc)
    return build_pipeline(doc, cli_vars, vars_files, allow)
