"""Physical design from the star's roles: distribution, sort key and VARCHAR widths per table, each with why.

Only a target whose adapter declares ``dist_sort_keys`` (Redshift) uses it.  What the YAML
declares always wins; otherwise the choice follows AWS's guidance
(https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-best-dist-key.html and
https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-sort-key.html), fed by what a
profile of the data measured (engine/profile.py) and ``AUTO`` where nothing is known:

* a dimension of at most ``ALL_MAX_ROWS`` rows: ``DISTSTYLE ALL`` (a copy on every node; joins never move it);
* a fact and its largest dimension too big for ALL: ``DISTKEY`` on their join key, unless the fact's
  key is mostly NULL (every NULL hashes to the same slice): then the fact is ``EVEN``;
* a fact whose dimensions are all ``ALL``: ``EVEN`` (nothing to collocate with);
* ``SORTKEY`` on the fact's time key (range filters on time skip blocks);
* VARCHAR without a declared width: the measured longest value in bytes, with headroom, rounded up
  (AWS: "use the smallest possible column size",
  https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-smallest-column-size.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.config import Pipeline, StarTable
    from engine.profile import Profile
    from engine.targets.base import Adapter

#: dimensions up to this many rows are copied to every node
ALL_MAX_ROWS = 1_000_000
#: a join key with more NULLs than this would pile them on one slice
NULL_KEY_MAX = 0.10
#: VARCHAR headroom over the longest measured value, and the widest Redshift allows
HEADROOM = 1.5
VARCHAR_MAX = 65535
_TIME_TYPES = ("timestamp", "timestamptz", "date", "timestamp without time zone", "timestamp with time zone")


@dataclass(frozen=True)
class TableDesign:
    table: str
    style: str  # auto, even, all, key
    key: str | None
    style_reason: str
    sort: tuple[str, ...]
    sort_style: str
    sort_reason: str
    #: column -> (VARCHAR width, why)
    widths: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def lengths(self) -> dict[str, int]:
        return {c: n for c, (n, _) in self.widths.items()}


def width(measured: int) -> int:
    """A VARCHAR width for a longest value of ``measured`` bytes: x1.5, then the next power of two (>= 16)."""
    need = max(16, int(measured * HEADROOM + 0.999))
    return min(VARCHAR_MAX, 1 << (need - 1).bit_length())


def _is_varchar(type_name: str) -> bool:
    return type_name.lower() in ("varchar", "text", "string", "character varying")


def _declared_width(type_name: str) -> int | None:
    found = re.fullmatch(r"\s*(?:varchar|character varying|char|character)\s*\(\s*(\d+)\s*\)\s*", type_name, re.I)
    return int(found.group(1)) if found else None


def table_designs(p: Pipeline, adapter: Adapter) -> dict[str, TableDesign]:
    """The design for ``adapter``'s DDL: {} unless its warehouse has distribution and sort keys."""
    if not adapter.capabilities.dist_sort_keys:
        return {}
    from engine.profile import load

    return design(p, load(p))


def design(p: Pipeline, profile: Profile | None) -> dict[str, TableDesign]:
    """The physical design of every table of ``p`` (staging included), from the YAML and the profile."""
    rows = profile.rows if profile else {}
    dims = {n: t for n, t in p.star.items() if t.kind == "dimension"}
    small = {n for n in dims if n in rows and rows[n] <= ALL_MAX_ROWS}
    partners = _fact_partners(p, profile, small)
    out: dict[str, TableDesign] = {}
    for name in p.tables:
        t = p.star.get(name)
        style, key, why = _distribution(name, t, profile, small, partners)
        sort, sort_style, sort_why = _sort(t)
        out[name] = TableDesign(name, style, key, why, sort, sort_style, sort_why, _widths(p, name, profile))
    return out


def _fact_partners(p: Pipeline, profile: Profile | None, small: set[str]) -> dict[str, tuple[str, str, str]]:
    """fact or dimension -> (style, key, why) for each fact and the largest dimension it can share a key with."""
    out: dict[str, tuple[str, str, str]] = {}
    if profile is None:
        return out
    for name, fact in p.star.items():
        if fact.kind != "fact":
            continue
        joins = [
            (profile.rows.get(fk.table, -1), fk)
            for fk in fact.foreign_keys
            if fk.table in p.star and p.star[fk.table].kind == "dimension" and fk.table not in small
        ]
        if not joins:
            if fact.foreign_keys and all(fk.table in small for fk in fact.foreign_keys):
                out[name] = (
                    "even",
                    "",
                    f"every dimension it joins is small enough for ALL (<= {ALL_MAX_ROWS:,} "
                    "rows): no key to collocate on, EVEN spreads its rows over all slices",
                )
            continue
        size, fk = max(joins, key=lambda j: j[0])
        dim = p.star[fk.table]
        ref = fk.ref_column or dim.primary_key[0]
        nulls = profile.null_fraction(name, fk.column)
        if nulls is None:
            continue
        if nulls > NULL_KEY_MAX:
            out[name] = (
                "even",
                "",
                f"{fk.column} joins its largest dimension {fk.table} but is {nulls:.1%} NULL: "
                "every NULL hashes to the same slice, so EVEN instead of KEY",
            )
            continue
        out[name] = (
            "key",
            fk.column,
            f"shares a DISTKEY with its largest dimension {fk.table} "
            f"({size:,} rows) on the join key ({nulls:.1%} NULL)",
        )
        out[fk.table] = (
            "key",
            ref,
            f"the largest dimension of {name} ({size:,} rows, too many for ALL): "
            f"DISTKEY on the join key, collocated with the fact",
        )
    return out


def _distribution(
    name: str, t: StarTable | None, profile: Profile | None, small: set[str], partners: dict[str, tuple[str, str, str]]
) -> tuple[str, str | None, str]:
    rows = profile.rows if profile else {}
    if t is None:
        return "auto", None, "staging: loaded by COPY and read once by the transforms; Redshift chooses"
    if t.distribution is not None:
        nulls = profile.null_fraction(name, t.distribution.key) if profile and t.distribution.key else None
        warn = (
            (
                f"; but {t.distribution.key} is {nulls:.1%} NULL and every NULL hashes to the same slice "
                "(remove distribution: to let the design choose)"
            )
            if nulls is not None and nulls > NULL_KEY_MAX
            else ""
        )
        return t.distribution.style, t.distribution.key, "declared in the YAML" + warn
    if name in partners:
        style, key, why = partners[name]
        return style, key or None, why
    if name in small:
        return "all", None, f"a dimension of {rows[name]:,} rows (<= {ALL_MAX_ROWS:,}): a copy on every node"
    if name in rows:
        return "auto", None, f"{rows[name]:,} rows, no fact to collocate with: Redshift chooses"
    return "auto", None, "not measured (etl-engine explain --measure): Redshift chooses"


def _sort(t: StarTable | None) -> tuple[tuple[str, ...], str, str]:
    if t is None:
        return (), "compound", "none (Redshift's AUTO)"
    if t.sort is not None:
        return t.sort.keys, t.sort.style, "declared in the YAML"
    if t.kind == "fact":
        times = [c.name for c in t.columns if c.type.lower() in _TIME_TYPES]
        keyed = [c for c in times if c in {fk.column for fk in t.foreign_keys}]
        if keyed or times:
            col = (keyed or times)[0]
            return (col,), "compound", f"the fact's time key: filters on {col} skip whole blocks"
    return (), "compound", "none (Redshift's AUTO)"


def _widths(p: Pipeline, name: str, profile: Profile | None) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for c in p.table_columns(name):
        declared = _declared_width(c.type)
        if declared is not None:
            out[c.name] = (declared, "declared in the YAML")
        elif _is_varchar(c.type):
            longest = profile.max_bytes(name, c.name) if profile else None
            if longest is None:
                out[c.name] = (VARCHAR_MAX, "not measured: the widest VARCHAR")
            else:
                out[c.name] = (width(longest), f"longest value {longest:,} bytes, x{HEADROOM} rounded up")
    return out
