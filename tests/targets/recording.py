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

    def on(
        self,
        regex: str,
        rows: list[tuple[Any, ...]] | None = None,
        columns: tuple[str, ...] = ("value",),
        error: str | None = None,
    ) -> RecordingConnection:
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


def _field(value: Any) -> dict[str, Any]:
    """A GetStatementResult Field for ``value``, as the Data API reference shapes it."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


@dataclass
class DataApiRecorder:
    """A real boto3 ``redshift-data`` client whose calls are answered from a RecordingConnection.

    botocore validates every request against the service model as usual; a ``before-call``
    handler (the hook botocore's Stubber uses) then answers it: ExecuteStatement runs the SQL on
    ``conn``, DescribeStatement reports FINISHED or FAILED with the rule's error, and
    GetStatementResult returns the rows ``page_size`` at a time with NextToken.
    """

    conn: RecordingConnection
    page_size: int = 2
    #: every call as (operation name, API parameters), in order
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    session_id: str = "0c0ffee0-0000-4000-8000-000000000001"
    _results: dict[str, tuple[list[tuple[Any, ...]], tuple[str, ...], str | None, int]] = field(default_factory=dict)

    def client(self) -> Any:
        import boto3

        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-west-2"
        )
        client = session.client("redshift-data")
        client.meta.events.register("before-parameter-build.redshift-data.*", self._record)
        client.meta.events.register("before-call.redshift-data.*", self._answer)
        return client

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, dict(params)))

    def _answer(self, model: Any, **_: Any) -> tuple[Any, dict[str, Any]]:
        from botocore.awsrequest import AWSResponse

        name, params = self.calls[-1]
        assert name == model.name
        if name == "ExecuteStatement":
            statement = f"00000000-0000-4000-8000-{len(self._results):012d}"
            cursor = self.conn.cursor()
            try:
                cursor.execute(params["Sql"])
                rows, columns = cursor.fetchall(), tuple(d[0] for d in cursor.description or ())
                self._results[statement] = (rows, columns, None, cursor.rowcount)
            except DriverError as exc:
                self._results[statement] = ([], (), str(exc), -1)
            body: dict[str, Any] = {"Id": statement, "SessionId": self.session_id}
        elif name == "DescribeStatement":
            rows, columns, error, count = self._results[params["Id"]]
            body = {
                "Id": params["Id"],
                "Status": "FAILED" if error else "FINISHED",
                "HasResultSet": bool(columns),
                "ResultRows": count,
                "SessionId": self.session_id,
            }
            if error:
                body["Error"] = error
        elif name == "GetStatementResult":
            rows, columns, _, _ = self._results[params["Id"]]
            start = int(params.get("NextToken") or 0)
            page = rows[start : start + self.page_size]
            body = {
                "ColumnMetadata": [{"name": c} for c in columns],
                "TotalNumRows": len(rows),
                "Records": [[_field(v) for v in row] for row in page],
            }
            if start + self.page_size < len(rows):
                body["NextToken"] = str(start + self.page_size)
        else:
            raise AssertionError(f"unexpected Data API call {name}")
        return AWSResponse("https://redshift-data.us-west-2.amazonaws.com", 200, {}, None), body
