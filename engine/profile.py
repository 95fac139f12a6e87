"""What the data looks like, for the physical design: rows per table, NULLs and widest values per column.

``etl-engine explain --measure`` builds the pipeline once on a scratch DuckDB file from the
same source files (local, or S3 through the engine's own download) and counts; the numbers go
to ``<pipeline>.profile.yaml`` beside the pipeline file, which later plans read, so a plan
(and the DDL ``--dry-run`` shows) depends on files only, never on a database answering.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, Issue, Location

if TYPE_CHECKING:
    from engine.config import Pipeline


@dataclass(frozen=True)
class Profile:
    rows: dict[str, int] = field(default_factory=dict)
    #: table -> column -> (NULL fraction, longest value in bytes or None for non-text)
    columns: dict[str, dict[str, tuple[float, int | None]]] = field(default_factory=dict)

    def null_fraction(self, table: str, column: str) -> float | None:
        found = self.columns.get(table, {}).get(column)
        return found[0] if found else None

    def max_bytes(self, table: str, column: str) -> int | None:
        found = self.columns.get(table, {}).get(column)
        return found[1] if found else None


def profile_path(p: Pipeline) -> Path:
    return p.file.with_name(p.file.stem + ".profile.yaml")


def load(p: Pipeline) -> Profile | None:
    """The stored profile beside the pipeline file, or None."""
    import yaml

    path = profile_path(p)
    try:  # opened, not stat'ed: the validate cache (engine/fastpath.py) then notices a profile appearing
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None
    try:
        data: dict[str, Any] = yaml.safe_load(text) or {}
        tables = data.get("tables") or {}
        columns = {
            t: {c: (float(s["null_fraction"]), s.get("max_bytes")) for c, s in (v.get("columns") or {}).items()}
            for t, v in tables.items()
        }
        return Profile({t: int(v["rows"]) for t, v in tables.items()}, columns)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            [
                Issue(
                    f"cannot read the profile {path.name}: {exc}",
                    Location(path),
                    "run etl-engine explain --measure again, or delete the file",
                )
            ]
        ) from None


def save(p: Pipeline, profile: Profile, origin: str) -> Path:
    import yaml

    tables = {
        t: {
            "rows": profile.rows[t],
            "columns": {
                c: {"null_fraction": round(nulls, 4), **({"max_bytes": longest} if longest is not None else {})}
                for c, (nulls, longest) in profile.columns.get(t, {}).items()
            },
        }
        for t in profile.rows
    }
    path = profile_path(p)
    header = (
        f"# Measured by `etl-engine explain --measure` from {origin}; the Redshift physical design\n"
        "# (distribution, sort keys, VARCHAR widths) reads it. Measure again when the data changes shape.\n"
    )
    path.write_text(header + yaml.safe_dump({"tables": tables}, sort_keys=False), encoding="utf-8")
    return path


def measure(p: Pipeline, workdir: Path) -> Profile:
    """Build ``p`` on a scratch DuckDB file in ``workdir`` (checks skipped) and count."""
    from engine.config import Target
    from engine.plan import build_plan
    from engine.runner import run_plan

    db = workdir / "profile.duckdb"
    target = Target("_profile", "duckdb", {"path": str(db)}, {}, Location(p.file))
    scratch = replace(p, targets={"_profile": target}, default_target="_profile", checks=())
    plan = build_plan(scratch, "_profile")
    plan = replace(plan, plan=replace(plan.plan, steps=tuple(s for s in plan.steps if s.kind != "check")))
    run_plan(plan, full_refresh=True)
    rows: dict[str, int] = {}
    columns: dict[str, dict[str, tuple[float, int | None]]] = {}
    try:
        for table in p.tables:
            cols = p.table_columns(table)
            shape = [
                {"name": c.name, "text": c.type.lower().startswith(("varchar", "text", "string", "char"))} for c in cols
            ]
            found = plan.adapter.fetch(plan.renderer.template("profile.sql", table=table, columns=shape), "profile")[0]
            total = int(found[0])
            rows[table] = total
            columns[table] = {}
            for i, c in enumerate(cols):
                present, longest = found[1 + 2 * i], found[2 + 2 * i]
                nulls = (total - int(present)) / total if total else 0.0
                columns[table][c.name] = (nulls, int(longest) if longest is not None else None)
    finally:
        plan.adapter.close()
    return Profile(rows, columns)
