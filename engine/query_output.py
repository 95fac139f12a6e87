"""How query results are written: CSV and JSON for programs (every row unless --limit says
otherwise), a table for people (numbers right-aligned; on a terminal, as many rows as fit, and
"showing N of M rows" whenever rows were left out)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.query import Answer

FORMATS = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    """A JSON value: exact decimals stay numbers (as text would lose their type), times as ISO 8601."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent == 0 else float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def _numeric(values: list[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in present)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) >= 1e15 else f"{value:,.6f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def write_csv(answer: Answer, limit: int | None, out: IO[str]) -> None:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(answer.columns)
    for row in answer.rows[:limit]:
        writer.writerow(["" if v is None else _plain(v) for v in row])


def write_json(answers: list[Answer], limit: int | None, out: IO[str], single: bool) -> None:
    """One query: a JSON array of objects, one per row; several: an object of such arrays by name."""

    def records(a: Answer) -> list[dict[str, Any]]:
        return [{c: _plain(v) for c, v in zip(a.columns, row, strict=True)} for row in a.rows[:limit]]

    data: Any = records(answers[0]) if single else {a.name: records(a) for a in answers}
    json.dump(data, out, ensure_ascii=False, indent=None if single else 2)
    out.write("\n")


def table_limit(limit: int | None) -> int | None:
    """The user's limit; else, on a terminal, as many rows as fit on the screen; else every row."""
    if limit is not None or not sys.stdout.isatty():
        return limit
    import shutil

    return max(5, shutil.get_terminal_size().lines - 8)


def write_table(answer: Answer, limit: int | None) -> None:
    from rich.table import Table

    from engine.output import console

    table = Table(title=answer.name, title_justify="left")
    for i, column in enumerate(answer.columns):
        numeric = _numeric([row[i] for row in answer.rows])
        table.add_column(column, justify="right" if numeric else "left")
    shown = answer.rows[:limit]
    for row in shown:
        table.add_row(*(_text(v) for v in row))
    out = console()
    out.print(table)
    if len(shown) < len(answer.rows):
        out.print(f"showing {len(shown):,} of {len(answer.rows):,} rows (--limit N, or --format csv for all)")


def write(answers: list[Answer], fmt: str, limit: int | None, single: bool) -> None:
    if fmt == "json":
        write_json(answers, limit, sys.stdout, single)
    elif fmt == "csv":
        write_csv(answers[0], limit, sys.stdout)
    else:
        for answer in answers:
            write_table(answer, table_limit(limit))
