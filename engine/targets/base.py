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
from typing import TYPE_CHECKING, Any, ClassVar

from engine.config import Source, StagingTable, Target
from engine.errors import ConfigError, Issue, RunLocked, TargetError

if TYPE_CHECKING:
    from engine.inputs import LoadFiles
    from engine.settings import Settings
    from engine.sources.stream import Feed


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
    #: the files a ``COPY ... FROM STDIN`` statement of this load streams, where the target needs it
    feed: Feed | None = None
    #: a template whose query explains a failed load (Redshift's STL_LOAD_ERRORS)
    diagnose: str | None = None
    #: a template whose single query returns how many bad records this load skipped and wrote to
    #: _etl_rejects (a source with on_error: skip), rendered with the same context
    rejects: str | None = None


class Adapter(ABC):
    """One warehouse. Subclasses set the class attributes and implement ``_connect``."""

    name: ClassVar[str]
    sqlglot_dialect: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: template folders after the user's, most specific first; () means just ``(name,)``
    template_dirs: ClassVar[tuple[str, ...]] = ()
    #: options that must resolve before connecting (their ``${VAR}`` set somewhere)
    required_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, target: Target, connect: Callable[[], Any] | None = None,
                 settings: Settings | None = None) -> None:
        self.target = target
        self._connect_override = connect
        self._conn: Any = None
        self._settings = settings

    @classmethod
    def templates(cls) -> tuple[str, ...]:
        return cls.template_dirs or (cls.name,)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from engine.settings import Settings

            self._settings = Settings()
        return self._settings

    def option(self, key: str, default: str | None = None) -> str | None:
        """A target option with ``${VAR}`` references resolved; an unset one keeps its ``${VAR}``.

        Keeping the reference lets ``--dry-run`` and ``validate`` work with no settings at
        all; ``preflight`` refuses to connect while any needed reference is unset.
        """
        from engine.redact import SECRET_NAME, remember

        raw = self.target.options.get(key)
        if raw is None:
            return default
        value, _missing = self.settings.resolve(raw)
        if SECRET_NAME.search(key):
            remember(value)
        return value

    def unresolved(self) -> list[Issue]:
        """Options this run needs whose ``${VAR}`` is set nowhere."""
        issues = []
        for key in (*self.required_options, *self.target.options):
            raw = self.target.options.get(key)
            if raw is None:
                if key in self.required_options:
                    issues.append(Issue(f"target '{self.target.name}' needs '{key}'", self.target.location,
                                        f"add {key}: ${{VAR}} under the target and set VAR in the environment"))
                continue
            _value, missing = self.settings.resolve(raw)
            for name in missing:
                issues.append(Issue(
                    f"{name} is not set (target '{self.target.name}', option '{key}')",
                    self.target.option_locations.get(key, self.target.location),
                    f"export {name}=... or pass --config with a settings file that has it"))
        return list({i.message: i for i in issues}.values())

    def preflight(self) -> None:
        """Refuse to start a run whose connection settings are incomplete (before any SQL runs)."""
        issues = self.unresolved()
        if issues:
            raise ConfigError(issues)

    @abstractmethod
    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles) -> LoadSpec:
        """How ``table`` is filled from ``source`` on this warehouse, reading ``files``."""

    @abstractmethod
    def _connect(self) -> Any:
        """A new DB-API connection from the target's settings."""

    def describe(self) -> str:
        """Where this target points, for humans; never includes a secret."""
        return self.name

    def open(self, wait: float = 0.0) -> None:
        """Connect; where the warehouse is locked by another run, retry for ``wait`` seconds."""
        import time

        deadline = time.monotonic() + wait
        while self._conn is None:
            try:
                self._conn = self._connect_override() if self._connect_override else self._connect()
            except RunLocked:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.25)
            except (TargetError, ConfigError):
                raise
            except Exception as exc:
                raise TargetError(f"cannot connect to {self.describe()}: {self._error_text(exc)}") from None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def execute(self, sql: str, step: str | None = None, feed: Feed | None = None) -> int | None:
        """Run one statement; return the rows it affected where the driver says."""
        self.open()
        cursor = self._cursor()
        try:
            self._execute(cursor, sql, feed)
            count = getattr(cursor, "rowcount", -1)
            return count if isinstance(count, int) and count >= 0 else None
        except Exception as exc:
            if self._interrupted(exc):
                raise KeyboardInterrupt from None
            raise TargetError(self._error_text(exc), step=step, sql=sql) from None
        finally:
            self._release(cursor)

    def _execute(self, cursor: Any, sql: str, feed: Feed | None) -> None:
        """Targets that stream files to the server (``COPY ... FROM STDIN``) override this."""
        cursor.execute(sql)

    def _interrupted(self, exc: Exception) -> bool:
        """Whether the driver turned Ctrl-C into its own error (DuckDB does): then it is an interrupt."""
        return False

    def explain_failure(self, error: TargetError, diagnose: tuple[str, ...]) -> TargetError:
        """A failed load's error, made specific where the warehouse keeps details (Redshift)."""
        return error

    def fetch(self, sql: str, step: str | None = None) -> list[tuple[Any, ...]]:
        return self.fetch_named(sql, step)[1]

    def fetch_named(self, sql: str, step: str | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a query."""
        self.open()
        cursor = self._cursor()
        try:
            cursor.execute(sql)
            names = [d[0] for d in cursor.description or []]
            # a statement without a result (a check's DROP or CREATE of its temporary table) has no rows
            return names, [tuple(r) for r in cursor.fetchall()] if cursor.description else []
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
