"""The checks every declared key implies, as steps: one scan of each star table for all of them, less
what the table's SELECT proves when the run rebuilds the table from it (engine/key_proofs.py), and the
orphans its SELECT and its parent's rule out together (engine/fk_proofs.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.config import Check, Pipeline
from engine.key_proofs import KeyProof
from engine.plan import Step

if TYPE_CHECKING:
    from engine.render import SqlRenderer
    from engine.semantics import Analysis


def key_checks(p: Pipeline) -> list[Check]:
    """The checks every declared key implies: primary keys unique and not null, foreign keys resolve.
    They are computed in one scan per table (checks/key_scan.sql) by the table's unique check, whose
    ``values`` carry the table's foreign keys as (column, parent table, parent column); the others read
    their number from it."""
    out = []
    for name, t in p.star.items():
        cols = t.primary_key
        where = p.document.locate(("star", name, "primary_key"))
        fks = []
        for fk in t.foreign_keys:
            parent = p.star.get(fk.table)
            ref = fk.ref_column or (parent.primary_key[0] if parent else fk.column)
            fks.append(
                Check(
                    f"foreign_key_{name}_{fk.column}",
                    "relationships",
                    name,
                    fk.location,
                    columns=(fk.column,),
                    to_table=fk.table,
                    to_column=ref,
                    declared=False,
                )
            )
        out.append(
            Check(
                f"primary_key_unique_{name}",
                "unique",
                name,
                where,
                columns=cols,
                declared=False,
                values=tuple((c.columns[0], c.to_table, c.to_column) for c in fks),
            )
        )
        out.append(Check(f"primary_key_not_null_{name}", "not_null", name, where, columns=cols, declared=False))
        out += fks
    return out


def rebuilt_proofs(p: Pipeline, analysis: Analysis, tables: frozenset[str], dialect: str) -> dict[str, KeyProof]:
    """What each of ``tables`` (star tables a full build fills from their SELECT into a new, empty shadow)
    guarantees about its primary key. Not for an incremental build: rows already in the table are not
    the SELECT's, and a MERGE keeps them."""
    from dataclasses import replace

    from engine.fk_proofs import prove_inclusion
    from engine.key_proofs import prove_keys
    from engine.views import is_view

    schema = {t: {c.name: c.type for c in p.table_columns(t)} for t in p.tables}
    built = {t for t in tables if t in p.star and t in analysis.selects and not is_view(p, t)}
    out = {}
    for name in sorted(built):
        columns = [(c.name, c.type) for c in p.table_columns(name)]
        proof = prove_keys(analysis.selects[name], dialect, p.star[name].primary_key, columns, schema)
        orphans = []
        for fk in p.star[name].foreign_keys:
            parent = fk.table
            ref = fk.ref_column or (p.star[parent].primary_key[0] if parent in p.star else fk.column)
            if parent not in built or parent == name:
                continue  # a parent kept from an earlier run was not built from these rows
            parent_cols = p.table_columns(parent)
            child_names, parent_names = [c for c, _t in columns], [c.name for c in parent_cols]
            if fk.column not in child_names or ref not in parent_names:
                continue
            child_at, parent_at = child_names.index(fk.column), parent_names.index(ref)
            why = prove_inclusion(
                analysis.selects[name],
                (fk.column, columns[child_at][1], child_at),
                analysis.selects[parent],
                (ref, parent_cols[parent_at].type, parent_at),
                dialect,
                schema,
            )
            if why:
                orphans.append((fk.column, why))
        out[name] = replace(proof, orphans=tuple(orphans))
    return out


def key_step(
    check: Check,
    r: SqlRenderer,
    final: dict[str, str],
    name: Callable[[str], str],
    key: tuple[str, ...],
    proof: KeyProof | None,
) -> Step:
    """A check implied by a declared key: the table's unique check scans the table once for all of them
    (key_checks), the not-null and foreign-key checks read their number after it. A number the table's
    SELECT proves is not counted: the scan says 0 for it, and the check's line says why."""
    from engine.samples import sample_sql

    proof = proof or KeyProof()
    scan = f"_etl_keys_{name(check.table)}"
    first = f"check:primary_key_unique_{check.table}"
    if check.kind == "unique":
        fks = [(column, name(to_table), to_column) for column, to_table, to_column in check.values]
        statements = r.statements(
            "checks/key_scan.sql",
            scan=scan,
            table=name(check.table),
            columns=check.columns,
            foreign_keys=fks,
            proved={
                "duplicated_keys": proof.unique,
                "null_keys": proof.not_null,
                **{f"orphans_{column}": why for column, why in proof.orphans},
            },
        )
        tables = {check.table} | {to_table for _c, to_table, _t in check.values}
        depends = tuple(sorted(final[t] for t in tables if t in final))
        proved = proof.unique
    else:
        value = "null_keys" if check.kind == "not_null" else f"orphans_{check.columns[0]}"
        statements = (r.template("checks/key_value.sql", scan=scan, value=value),)
        depends = (first,)
        proved = proof.not_null if check.kind == "not_null" else dict(proof.orphans).get(check.columns[0], "")
    return Step(
        f"check:{check.name}",
        "check",
        check.table,
        statements,
        depends,
        check,
        samples=sample_sql(check, r, name, "", key),
        proof=proved,
    )
