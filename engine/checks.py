"""Turning the numbers a check's SQL returns into a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.config import Check


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: str  # "pass", "fail", "warn" or "skipped"
    expected: str
    actual: str
    #: a few failing rows (column names, rows) of a failed or warning check, where it has rows
    failing: tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]] | None = None

    @property
    def blocking(self) -> bool:
        return self.status == "fail"


def _scalar(rows: list[tuple[Any, ...]]) -> int:
    return int(rows[0][0]) if rows and rows[0] and rows[0][0] is not None else 0


def evaluate(check: Check, results: list[list[tuple[Any, ...]]], before: int | None = None) -> CheckResult:
    """``results`` holds the rows of each statement of the check's step, in order; ``before`` the
    table's row count before this run (None on a first run)."""
    if check.skipped_reason:
        return CheckResult(check, "skipped", check.skipped_reason, "")
    # the number is the last statement's (a key check's scan creates its temporary table first)
    value = _scalar(results[0] if check.kind == "row_count" else results[-1] if results else [])
    relative = check.max_drop_pct is not None or check.max_growth_pct is not None
    if (
        relative
        and before is None
        and not (check.equals_sql or check.equals is not None or check.min is not None or check.max is not None)
    ):
        return CheckResult(check, "skipped", "no rows from an earlier run to compare with", f"{value:,} rows")
    if check.kind == "row_count":
        expected_parts = []
        ok = True
        if relative and before is not None:
            if check.max_drop_pct is not None:
                floor = before * (1 - check.max_drop_pct / 100)
                expected_parts.append(f">= {floor:,.0f} (at most {check.max_drop_pct:g}% fewer than {before:,})")
                ok &= value >= floor
            if check.max_growth_pct is not None:
                ceiling = before * (1 + check.max_growth_pct / 100)
                expected_parts.append(f"<= {ceiling:,.0f} (at most {check.max_growth_pct:g}% more than {before:,})")
                ok &= value <= ceiling
        if check.equals_sql:
            want = _scalar(results[1])
            expected_parts.append(f"= {want:,} (query)")
            ok &= value == want
        if check.equals is not None:
            expected_parts.append(f"= {check.equals:,}")
            ok &= value == check.equals
        if check.min is not None:
            expected_parts.append(f">= {check.min:,}")
            ok &= value >= check.min
        if check.max is not None:
            expected_parts.append(f"<= {check.max:,}")
            ok &= value <= check.max
        expected, actual = " and ".join(expected_parts) or "any", f"{value:,} rows"
    else:
        ok = value == 0
        noun = {
            "unique": "duplicated keys",
            "not_null": "NULL rows",
            "relationships": "orphan rows",
            "accepted_values": "rows with other values",
            "sql": "failing rows",
        }[check.kind]
        expected, actual = f"0 {noun}", f"{value:,} {noun}"
    status = "pass" if ok else ("warn" if check.severity == "warn" else "fail")
    return CheckResult(check, status, expected, actual)
