"""The Redshift plan rehearsed on a real PostgreSQL server.

recording.py records what the Redshift adapter sends and answers from a script; this connection
records the same statements and really runs them: each one transpiled by sqlglot from redshift to
postgres (DISTSTYLE/DISTKEY/SORTKEY/ENCODE/BACKUP dropped: physical hints with no meaning there),
and each COPY from S3 replaced by the PostgreSQL target's own load of the same files into the same
table.  It cannot prove Redshift-only behaviour; it proves the sequence and what the SQL means.
A rule can make any statement fail, as the cluster would, to rehearse every failure.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recording import DriverError

#: Redshift-only table attributes and column constraints, dropped for PostgreSQL
_PHYSICAL = ("DistStyleProperty", "DistKeyProperty", "SortKeyProperty", "BackupProperty", "EncodeColumnConstraint")


def to_postgres(sql: str) -> str:
    """``sql`` as Redshift would get it, in PostgreSQL's dialect."""
    import sqlglot
    from sqlglot import exp

    if re.match(r"\s*(LOCK|RESET)\b", sql, re.I):  # sqlglot has neither; PostgreSQL spells them the same way
        return sql
    tree = sqlglot.parse_one(sql, read="redshift")
    assert not isinstance(tree, exp.Command), f"not parsed, cannot be rehearsed: {sql}"
    for node in list(tree.walk()):
        if type(node).__name__ in _PHYSICAL:
            parent = node.parent
            node.pop()
            if isinstance(parent, exp.ColumnConstraint) and parent.args.get("kind") is None:
                parent.pop()
    return tree.sql(dialect="postgres")


@dataclass
class RehearsalConnection:
    """A DB-API connection for redshift_connector.connect that forwards to psycopg (autocommit)."""

    pg: Any
    #: runs the PostgreSQL target's load of the files a COPY (given) names into its table; returns rows
    load: Callable[[str, str], int]
    executed: list[str] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)
    #: returns an error text for a statement that should fail (as sent to Redshift), else None
    fail: Callable[[str], str | None] = lambda sql: None
    autocommit: bool = False
    closed: bool = False

    def cursor(self) -> RehearsalCursor:
        return RehearsalCursor(self)

    def close(self) -> None:
        """The adapter is done with the session: what it left open rolls back, as a closed session's would."""
        self.closed = True
        if self.pg.info.transaction_status != 0:  # not idle: end it
            self.pg.execute("ROLLBACK")


class RehearsalCursor:
    def __init__(self, conn: RehearsalConnection) -> None:
        self.conn = conn
        self.description: Any = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: Any = None) -> None:
        conn = self.conn
        conn.executed.append(sql)
        error = conn.fail(sql)
        if error is not None:
            if conn.pg.info.transaction_status == 2:  # in a transaction: a failure aborts it, as on Redshift
                with contextlib.suppress(Exception):  # the abort is the point
                    conn.pg.execute("SELECT 1/0")
            raise DriverError(error)
        copy = re.match(r'\s*COPY\s+"([^"]+)"', sql)
        try:
            if copy:
                conn.translated.append(f"-- the postgres target's load into {copy.group(1)}")
                self.rowcount, self.description, self._rows = conn.load(copy.group(1), sql), None, []
                return
            translated = to_postgres(sql)
            conn.translated.append(translated)
            with conn.pg.cursor() as cur:
                cur.execute(translated)
                self.description = cur.description
                self.rowcount = cur.rowcount
                self._rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
        except DriverError:
            raise
        except Exception as exc:  # what the driver would raise for a refused statement
            raise DriverError(str(exc)) from None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def close(self) -> None:
        """Nothing to free."""
