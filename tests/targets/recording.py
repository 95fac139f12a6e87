"""A DB-API connection that records every statement and answers from a script.

Redshift cannot run here, so the Redshift adapter's real code (connect, execute,
transactions, failure reports) is driven against this instead: tests then assert
the statements, their order and the transaction boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class DriverError(Exception):
    """What a driver raises for a statement the server refused."""


@dataclass
class Rule:
    pattern: re.Pattern[str]
    rows: list[tuple[Any, ...]] | None = None
    columns: tuple[str, ...] = ("value",)
    error: str | None = None


@dataclass
class RecordingConnection:
    rules: list[Rule] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    autocommit: bool = False
    closed: bool = False
    #: what the default rule answers to any query: no failing rows, zero counts
    default_rows: list[tuple[Any, ...]] = field(default_factory=lambda: [(0,)])
    #: chunks or rows written to COPY ... FROM STDIN
    copied: int = 0

    def on(self, regex: str, rows: list[tuple[Any, ...]] | None = None, columns: tuple[str, ...] = ("value",),
           error: str | None = None) -> RecordingConnection:
        self.rules.append(Rule(re.compile(regex, re.S | re.I), rows, columns, error))
        return self

    def cursor(self) -> RecordingCursor:
        return RecordingCursor(self)

    # DB-API drivers whose connection runs statements itself (DuckDB's): one cursor stands in
    def execute(self, sql: str, params: Any = None) -> RecordingCursor:
        self._own = self.cursor()
        self._own.execute(sql, params)
        return self._own

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._own.fetchall()

    @property
    def description(self) -> list[tuple[str, ...]] | None:
        return self._own.description

    @property
    def rowcount(self) -> int:
        return self._own.rowcount

    def close(self) -> None:
        self.closed = True

    def commit(self) -> None:
        self.executed.append("<driver commit>")

    def rollback(self) -> None:
        self.executed.append("<driver rollback>")


class RecordingCursor:
    def __init__(self, conn: RecordingConnection) -> None:
        self.conn = conn
        self.description: list[tuple[str, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: Any = None) -> None:
        self.conn.executed.append(sql)
        for rule in self.conn.rules:
            if rule.pattern.search(sql):
                if rule.error:
                    raise DriverError(rule.error)
                self._answer(rule.rows or [], rule.columns)
                return
        self._answer(self.conn.default_rows if sql.lstrip().upper().startswith("SELECT") else [], ("value",))

    def _answer(self, rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> None:
        self._rows = rows
        self.description = [(c,) for c in columns] if rows else None
        self.rowcount = len(rows) if rows else -1

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def copy(self, sql: str) -> RecordingCopy:
        """psycopg's ``COPY ... FROM STDIN``: the statement is recorded, the data counted."""
        self.execute(sql)
        return RecordingCopy(self.conn)

    def close(self) -> None:
        """Nothing to free."""


class RecordingCopy:
    def __init__(self, conn: RecordingConnection) -> None:
        self.conn = conn

    def __enter__(self) -> RecordingCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to flush."""

    def write(self, data: Any) -> None:
        self.conn.copied += 1

    def write_row(self, row: Any) -> None:
        self.conn.copied += 1


def connector(conn: RecordingConnection, calls: list[dict[str, Any]]) -> Callable[..., RecordingConnection]:
    """A stand-in for ``redshift_connector.connect`` that hands out ``conn`` and keeps the arguments."""
    def connect(**kwargs: Any) -> RecordingConnection:
        calls.append(kwargs)
        return conn
    return connect
