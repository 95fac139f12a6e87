"""Building the typed model (engine/config.py) from a validated pipeline document: one method per
section, vars layered (pipeline < vars files < --var) and rendered into the strings that take them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.config import (
    Check,
    Column,
    Distribution,
    ForeignKey,
    Pipeline,
    Query,
    S3Options,
    SortKey,
    Source,
    StagingTable,
    StarTable,
    Target,
)
from engine.errors import ConfigError, Issue, Location
from engine.location import Document, YamlPath, load_yaml
from engine.variables import Renderer, Vars


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
            out.append(
                Column(
                    name,
                    spec["type"].lower(),
                    bool(spec.get("not_null", False)),
                    spec.get("encode"),
                    spec.get("description"),
                )
            )
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
            jsonpaths=self.r.path(jsonpaths, self.loc("sources", name, "jsonpaths"), self.root) if jsonpaths else None,
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
            if raw.get("manifest")
            else None,
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
            if raw.get("manifest_prefix")
            else None,
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
            raise ConfigError(
                [Issue(f"SQL file {sql_file} is not UTF-8 text (byte {exc.start})", self.loc(*path))]
            ) from None

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
        return StarTable(
            name,
            raw["kind"],
            _columns(raw["columns"]),
            _as_tuple(raw["primary_key"]),
            tuple(fks),
            dist,
            sort,
            sql_text,
            sql_file,
            self.loc("star", name),
            grants=_grants(raw.get("grants")),
            description=raw.get("description"),
            tags=tuple(raw.get("tags") or ()),
        )

    def check(self, index: int, raw: dict[str, Any]) -> Check:
        kinds = [k for k in ("row_count", "unique", "not_null", "relationships", "accepted_values", "sql") if k in raw]
        if len(kinds) != 1:
            raise ConfigError(
                [
                    Issue(
                        "a check needs exactly one of row_count, unique, not_null, relationships, accepted_values, sql",
                        self.loc("checks", index),
                    )
                ]
            )
        kind = kinds[0]
        body = raw[kind]
        where = self.loc("checks", index, kind)
        table = body["table"]
        common: dict[str, Any] = {
            "kind": kind,
            "table": table,
            "location": where,
            "severity": raw.get("severity", "error"),
        }
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
            skipped = (
                f"{', '.join(missing)} not set"
                if missing and not any(v is not None for v in bounds.values()) and "equals_sql" not in body
                else None
            )
            return Check(name=name, **common, **bounds, equals_sql=body.get("equals_sql"), skipped_reason=skipped)
        if kind == "accepted_values":
            name = raw.get("name") or f"accepted_values_{table}_{body['column']}"
            return Check(name=name, **common, columns=(body["column"],), values=tuple(body["values"]))
        if kind == "sql":
            return Check(name=raw.get("name") or f"sql_{table}_{index + 1}", **common, query=body["query"])
        if kind == "relationships":
            name = raw.get("name") or f"relationships_{table}_{body['column']}"
            return Check(
                name=name, **common, columns=(body["column"],), to_table=body["to"], to_column=body.get("field")
            )
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
            raise ConfigError([Issue(f"expected a whole number, got {text!r}", self.doc.locate(path))]) from None

    def target(self, name: str, raw: dict[str, Any]) -> Target:
        options: dict[str, str] = {}
        bases: dict[str, Path] = {}
        for key, value in raw.items():
            if key == "type":
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            options[key] = self.r.render(text, self.loc("targets", name, key))
            bases[key] = self.r.base_for(text, self.root)
        return Target(
            name,
            raw["type"],
            options,
            bases,
            self.loc("targets", name),
            {key: self.loc("targets", name, key) for key in options},
        )


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


def build_pipeline(
    doc: Document, cli_vars: Vars | None = None, vars_files: list[Path] | None = None, allow: tuple[Path, ...] = ()
) -> Pipeline:
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

        raise ConfigError(
            [
                Issue(
                    f"default_target '{default_target}' is not defined under targets",
                    doc.locate(("default_target",)),
                    suggest(default_target, list(targets)),
                )
            ]
        )
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
        staging={
            n: StagingTable(
                n,
                raw["source"],
                _columns(raw["columns"]),
                b.loc("staging", n),
                grants=_grants(raw.get("grants")),
                description=raw.get("description"),
                column_locations={c: b.loc("staging", n, "columns", c, key=True) for c in raw["columns"]},
                tags=tuple(raw.get("tags") or ()),
            )
            for n, raw in data["staging"].items()
        },
        star={n: b.star(n, raw) for n, raw in (data.get("star") or {}).items()},
        checks=tuple(b.check(i, raw) for i, raw in enumerate(data.get("checks") or [])),
        queries=queries,
        templates_dir=Path(renderer.path(templates, doc.locate(("templates",)), doc.file.parent))
        if templates
        else None,
        document=doc,
        grants=_grants(data.get("grants")) or {},
        allowed_roots=(
            *explicit_roots(
                [
                    renderer.path(str(r), doc.locate(("allowed_roots", i)), doc.file.parent)
                    for i, r in enumerate(data.get("allowed_roots") or [])
                ],
                doc.file.parent,
            ),
            *(
                root
                for name, value in (cli_vars or Vars()).values.items()
                for root in explicit_roots([value], (cli_vars or Vars()).origins.get(name, Path.cwd()))
            ),
            *allow,
        ),
        description=data.get("description"),
    )
