"""The whole contract between the engine and a warehouse.

The planner reads ``capabilities`` rather than a warehouse's name, and the runner
talks to a DB-API connection through ``execute``/``fetch``/``transaction`` only,
so tests can hand any adapter a recording connection via ``connect=``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, ClassVar

from engine.config import Source, StagingTable, Target
from engine.errors import TargetError


@dataclass(frozen=True)
class Capabilities:
    #: DDL inside a transaction rolls back (DuckDB, PostgreSQL, Redshift): one run, one transaction
    transactional_ddl: bool = True
    #: the warehouse reads S3 itself (Redshift COPY); otherwise the engine brings the files
    copy_from_s3: bool = False
    #: DISTKEY/SORTKEY hints mean something here
    dist_sort_keys: bool = False


@dataclass(frozen=True)
class LoadSpec:
    """Which template loads a source, and what it needs to know."""

    template: str
    context: dict[str, Any]


class Adapter(ABC):
    """One warehouse. Subclasses set the class attributes and implement ``_connect``."""

    name: ClassVar[str]
    sqlglot_dialect: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, target: Target, connect: Callable[[], Any] | None = None) -> None:
        self.target = target
        self._connect_override = connect
        self._conn: Any = None

    @abstractmethod
    def load_spec(self, source: Source, table: StagingTable) -> LoadSpec:
        """How ``table`` is filled from ``source`` on this warehouse."""

    @abstractmethod
    def _connect(self) -> Any:
        """A new DB-API connection from the target's settings."""

    def describe(self) -> str:
        """Where this target points, for humans; never includes a secret."""
        return self.name

    def open(self) -> None:
        if self._conn is None:
            try:
                self._conn = self._connect_override() if self._connect_override else self._connect()
            except TargetError:
                raise
            except Exception as exc:
                raise TargetError(f"cannot connect to {self.describe()}: {self._error_text(exc)}") from None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def execute(self, sql: str, step: str | None = None) -> int | None:
        """Run one statement; return the rows it affected where the driver says."""
        self.open()
        cursor = self._cursor()
        try:
            cursor.execute(sql)
            count = getattr(cursor, "rowcount", -1)
            return count if isinstance(count, int) and count >= 0 else None
        except Exception as exc:
            raise TargetError(self._error_text(exc), step=step, sql=sql) from None
        finally:
            self._release(cursor)

    def fetch(self, sql: str, step: str | None = None) -> list[tuple[Any, ...]]:
        return self.fetch_named(sql, step)[1]

    def fetch_named(self, sql: str, step: str | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a query."""
        self.open()
        cursor = self._cursor()
        try:
            cursor.execute(sql)
            names = [d[0] for d in cursor.description or []]
            return names, [tuple(r) for r in cursor.fetchall()]
        except Exception as exc:
            raise TargetError(self._error_text(exc), step=step, sql=sql) from None
        finally:
            self._release(cursor)

    def _cursor(self) -> Any:
        """A cursor on the one connection; the whole run shares its transaction."""
        return self._conn.cursor()

    def _release(self, cursor: Any) -> None:
        cursor.close()

    @contextmanager
    def transaction(self, begin: str, commit: str, rollback: str) -> Iterator[None]:
        """Everything inside commits together or not at all (Ctrl-C included)."""
        self.execute(begin)
        try:
            yield
        except BaseException:
            with suppress(TargetError):
                self.execute(rollback)
            raise
        self.execute(commit)

    @staticmethod
    def _error_text(exc: BaseException) -> str:
        text = str(exc).strip() or type(exc).__name__
        return text.splitlines()[0] if len(text) > 2000 else text
