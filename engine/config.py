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
from engine.location import Document, load_yaml
from engine.variables import Vars


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
            raise ConfigError(
                [
                    Issue(
                        f"unknown target '{chosen}'",
                        self.document.locate(("targets",)),
                        suggest(chosen, list(self.targets)) or f"defined targets: {', '.join(self.targets)}",
                    )
                ]
            )
        return self.targets[chosen]


def load_pipeline(
    file: str | Path, cli_vars: Vars | None = None, vars_files: list[Path] | None = None, allow: tuple[Path, ...] = ()
) -> Pipeline:
    """Load, schema-validate and build the model for ``file``; semantic checks come after.

    ``allow``: folders outside the pipeline's and the working directory its sources may read."""
    from engine.validate import validate_document

    path = Path(file).resolve()
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise ConfigError([Issue("a pipeline file must be a mapping of sections", doc.locate(()))])
    validate_document(doc)
    from engine.builder import build_pipeline

    return build_pipeline(doc, cli_vars, vars_files, allow)
