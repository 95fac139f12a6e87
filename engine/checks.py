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

    @property
    def blocking(self) -> bool:
        return self.status == "fail"


def _scalar(rows: list[tuple[Any, ...]]) -> int:
    return int(rows[0][0]) if rows and rows[0] and rows[0][0] is not None else 0


def evaluate(check: Check, results: list[list[tuple[Any, ...]]]) -> CheckResult:
    """``results`` holds the rows of each statement of the check's step, in order."""
    if check.skipped_reason:
        return CheckResult(check, "skipped", check.skipped_reason, "")
    value = _scalar(results[0])
    if check.kind == "row_count":
        expected_parts = []
        ok = True
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
        noun = {"unique": "duplicated keys", "not_null": "NULL rows",
                "relationships": "orphan rows"}[check.kind]
        expected, actual = f"0 {noun}", f"{value:,} {noun}"
    status = "pass" if ok else ("warn" if check.severity == "warn" else "fail")
    return CheckResult(check, status, expected, actual)
