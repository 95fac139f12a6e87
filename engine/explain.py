"""``etl-engine explain``: each table's physical design on a target, and why (engine/physical.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.config import Pipeline
    from engine.physical import TableDesign


def explain(p: Pipeline, target_name: str | None, measure: bool) -> str:
    """The report ``explain`` prints; with ``measure``, profile the data first and store the profile."""
    from engine import profile
    from engine.physical import design
    from engine.targets import adapter_class

    target = p.target(target_name)
    lines: list[str] = []
    if measure:
        with tempfile.TemporaryDirectory(prefix="etl-profile-") as tmp:
            measured = profile.measure(p, Path(tmp))
        where = profile.save(p, measured, ", ".join(sorted({_shown(s.path, p.root) for s in p.sources.values()})))
        lines.append(f"measured {sum(measured.rows.values()):,} rows in {len(measured.rows)} tables -> {where}")
    cls = adapter_class(target.type, target.location)
    if not cls.capabilities.dist_sort_keys:
        lines.append(f"target '{target.name}' ({target.type}) has no distribution or sort keys: nothing to choose")
        return "\n".join(lines)
    stored = profile.load(p)
    lines.append(
        f"physical design for target '{target.name}' ({target.type}), "
        + (
            f"from {profile.profile_path(p).name}"
            if stored
            else "nothing measured (etl-engine explain --measure reads the data once)"
        )
    )
    for d in design(p, stored).values():
        lines.extend(_table(d))
    return "\n".join(lines)


def _table(d: TableDesign) -> list[str]:
    dist = f"DISTSTYLE {d.style.upper()}" + (f" DISTKEY({d.key})" if d.key else "")
    sort = f"{d.sort_style.upper()} SORTKEY({', '.join(d.sort)})" if d.sort else "SORTKEY AUTO"
    out = [f"{d.table}:", f"  {dist}: {d.style_reason}", f"  {sort}: {d.sort_reason}"]
    for column, (width, why) in d.widths.items():
        out.append(f"  {column} VARCHAR({width}): {why}")
    return out


def _shown(path: str, root: Path) -> str:
    """A source's path as the profile file records it: relative to the pipeline's folder when local."""
    import os

    return path if "://" in path else os.path.relpath(path, root)
