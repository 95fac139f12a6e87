"""The Redshift Data API as a DB-API-like connection, so the Redshift adapter runs unchanged over it.

``cursor().execute(sql)`` is one ``ExecuteStatement`` in a Data API *session*, then
``DescribeStatement`` polled until the statement ends (bounded: past ``timeout`` the statement
is cancelled and the call fails), then, for a query, ``GetStatementResult`` page by page.

Why a session: the first statement asks for one (``SessionKeepAliveSeconds``) and every later
statement names it (``SessionId``).  A session is one database connection kept open between
calls (AWS: "Accelerate your data workflows with Amazon Redshift Data API persistent sessions",
https://aws.amazon.com/blogs/big-data/accelerate-your-data-workflows-with-amazon-redshift-data-api-persistent-sessions/,
and the ExecuteStatement reference,
https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html), so the
runner's own BEGIN ... COMMIT span the statements between them exactly as on a driver connection.
``BatchExecuteStatement`` is documented as one transaction too, but a run interleaves reads
(checks, the lock, bookkeeping) with writes and decides on their results, so it cannot be sent
as one batch.  If the session ends (idle past its keep-alive) the open transaction is rolled
back by Redshift: nothing half-done is published.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: statuses after which DescribeStatement will not change
DONE = {"FINISHED", "FAILED", "ABORTED"}


class DataApiError(Exception):
    """A statement the Data API reports as failed, aborted or not finished in time."""


@dataclass
class DataApiConnection:
    """One Data API session; ``target`` holds WorkgroupName or ClusterIdentifier, Database, DbUser or SecretArn."""

    client: Any
    target: dict[str, str]
    keep_alive: int = 600
    timeout: float = 3600.0
    #: first and longest pause between DescribeStatement calls (seconds); grows by half each time
    poll: tuple[float, float] = (0.05, 2.0)
    sleep: Callable[[float], None] = time.sleep
    session_id: str | None = None
    autocommit: bool = True  # the runner's BEGIN/COMMIT are the boundaries, as with the driver
    closed: bool = False
    statements: list[str] = field(default_factory=list)  # statement ids, for messages and tests

    def cursor(self) -> DataApiCursor:
        return DataApiCursor(self)

    def close(self) -> None:
        # The Data API has no call that ends a session: it ends after keep_alive idle seconds.
        self.closed = True

    def commit(self) -> None:
        """Transactions are the runner's explicit statements; nothing is pending here."""

    def rollback(self) -> None:
        """As commit."""

    def run(self, sql: str) -> dict[str, Any]:
        """Execute ``sql`` in the session and wait for it; the final DescribeStatement response."""
        if self.session_id is None:
            params: dict[str, Any] = {**self.target, "Sql": sql, "SessionKeepAliveSeconds": self.keep_alive}
        else:
            params = {"Sql": sql, "SessionId": self.session_id}
        started = self.client.execute_statement(**params)
        if self.session_id is None:
            self.session_id = started.get("SessionId")
            if not self.session_id:
                raise DataApiError(
                    "the Data API opened no session for the run, so its statements could not share one transaction"
                )
        statement = started["Id"]
        self.statements.append(statement)
        return self._wait(statement)

    def _wait(self, statement: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        pause, longest = self.poll
        while True:
            described: dict[str, Any] = self.client.describe_statement(Id=statement)
            status = described.get("Status")
            if status == "FINISHED":
                return described
            if status in DONE:
                raise DataApiError(str(described.get("Error") or f"statement {statement} {status.lower()}"))
            if time.monotonic() + pause > deadline:
                self.client.cancel_statement(Id=statement)
                raise DataApiError(
                    f"gave up after {self.timeout:g} s waiting for the Data API (statement "
                    f"{statement} is {status}; cancelled it)"
                )
            self.sleep(pause)
            pause = min(pause * 1.5, longest)

    def results(self, statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and every row of a finished query, following NextToken."""
        names: list[str] = []
        rows: list[tuple[Any, ...]] = []
        token: str | None = None
        while True:
            page = self.client.get_statement_result(Id=statement, **({"NextToken": token} if token else {}))
            if not names:
                names = [str(c.get("name") or c.get("label") or "") for c in page.get("ColumnMetadata", [])]
            rows += [tuple(_value(f) for f in record) for record in page.get("Records", [])]
            token = page.get("NextToken")
            if not token:
                return names, rows


def _value(field: dict[str, Any]) -> Any:
    """A Field of GetStatementResult as a Python value (exactly one member is set)."""
    if field.get("isNull"):
        return None
    for key in ("stringValue", "longValue", "doubleValue", "booleanValue", "blobValue"):
        if key in field:
            return field[key]
    return None


class DataApiCursor:
    def __init__(self, conn: DataApiConnection) -> None:
        self.conn = conn
        self.description: list[tuple[str, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: Any = None) -> None:
        if params:
            raise DataApiError("the engine sends SQL with literals rendered in; parameters are not used")
        described = self.conn.run(sql)
        self.description, self._rows = None, []
        if described.get("HasResultSet"):
            names, self._rows = self.conn.results(str(described["Id"]))
            self.description = [(n,) for n in names]
        count = described.get("ResultRows", -1)
        self.rowcount = count if isinstance(count, int) else -1

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def close(self) -> None:
        """Results are already fetched."""
