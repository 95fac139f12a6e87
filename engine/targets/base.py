"""The whole contract between the engine and a warehouse.

Everything a warehouse differs in is a member here, and the core reads these members, never a
warehouse's name: ``capabilities`` (what it can do), ``publish`` and ``lock`` (how a run swaps
its tables in and keeps other runs out), ``error_lookup`` (how a failed load is explained) and
``options`` (the target options it accepts, typed, checked by ``validate``).  The runner talks to a DB-API
connection through ``execute``/``fetch``/``transaction`` only: tests hand it a recording one (``connect=``).

Adapters are found by ``type:`` (``engine/targets/<type>.py``, or ``module:Class`` for one that
lives outside the engine), and their SQL comes from their own template folders.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from engine.config import Source, StagingTable, Target
from engine.errors import ConfigError, Issue, RunLocked, TargetError
from engine.targets.contract import Capabilities, ErrorLookup, Lock, Option, Publish

if TYPE_CHECKING:
    from engine.inputs import LoadFiles
    from engine.render import SqlRenderer
    from engine.settings import Settings
    from engine.sources.stream import Feed


#: values for the named parameters of a step's statements, (name, values): a statement gets those it names ($name)
Bound = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class TemplateCall:
    """A template and the values it is rendered with: plain data a step can carry."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SchemaSql:
    """The target's ``schema:``, rendered: a probe whose rows mean "exists", its creation, and its use."""

    exists: str
    create: str
    use: str


@dataclass(frozen=True)
class LoadSpec:
    """Which template loads a source, and what it needs to know."""

    template: str
    context: dict[str, Any]
    #: the files a ``COPY ... FROM STDIN`` statement of this load streams, where the target needs it
    feed: Feed | None = None
    #: values for the named parameters (``$name``) of the load's statements (see Step.bound)
    bound: Bound = ()
    #: a template whose queries explain a failed load, rendered with the same context
    diagnose: str | None = None
    #: the context the diagnosis renders with, where it differs from the load's
    diagnose_context: dict[str, Any] | None = None
    #: a template whose single query returns how many bad records this load skipped and wrote to
    #: _etl_rejects (a source with on_error: skip), rendered with the same context
    rejects: str | None = None


class Adapter(ABC):
    """One warehouse. Subclasses set the class attributes and implement ``_connect`` and ``load_spec``."""

    name: ClassVar[str]
    sqlglot_dialect: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    publish: ClassVar[Publish] = Publish.SWAP
    lock: ClassVar[Lock] = Lock.EXCLUSIVE_CONNECTION
    error_lookup: ClassVar[ErrorLookup] = ErrorLookup.NONE
    #: every option a target of this type accepts (besides ``type``); validate refuses the rest
    options: ClassVar[dict[str, Option]] = {}
    #: template folders after the user's, most specific first: a name under the shipped templates/
    #: or a folder of the adapter's own; () means just ``(name,)``. templates/default comes last.
    template_dirs: ClassVar[tuple[str | Path, ...]] = ()

    def __init__(
        self, target: Target, connect: Callable[[], Any] | None = None, settings: Settings | None = None
    ) -> None:
        self.target = target
        self._connect_override = connect
        self._conn: Any = None
        self._settings = settings
        #: the target's schema: (set by the plan), made current on every connection this adapter opens
        self.schema_sql: SchemaSql | None = None
        self._schema_used = False

    @classmethod
    def templates(cls) -> tuple[str | Path, ...]:
        return cls.template_dirs or (cls.name,)

    @classmethod
    def required_options(cls) -> tuple[str, ...]:
        return tuple(k for k, o in cls.options.items() if o.required)

    @classmethod
    def check_options(cls, target: Target) -> list[Issue]:
        """Unknown or mistyped target options, each at its line, with did-you-mean."""
        from engine.settings import references
        from engine.validate import suggest

        issues = []
        for key, value in target.options.items():
            where = target.option_locations.get(key, target.location)
            spec = cls.options.get(key)
            if spec is None:
                issues.append(
                    Issue(
                        f"target '{target.name}' (type {cls.name}) has no option '{key}'",
                        where,
                        suggest(key, list(cls.options))
                        or f"options of {cls.name}: {', '.join(sorted(cls.options)) or 'none'}",
                    )
                )
            elif spec.kind == "int" and not references(value) and not str(value).strip().isdigit():
                issues.append(Issue(f"target option '{key}' must be a whole number, got {value!r}", where))
            elif (
                spec.kind == "bool"
                and not references(value)
                and str(value).lower() not in ("true", "false", "1", "0", "yes", "no")
            ):
                issues.append(Issue(f"target option '{key}' must be true or false, got {value!r}", where))
        # a missing required option is reported by preflight, before a real run connects: validate and
        # --dry-run work on a pipeline whose connection is not configured yet
        return issues

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
        if SECRET_NAME.search(key) or self.options.get(key, Option("")).kind == "secret":
            remember(value)
        return value

    def unresolved(self) -> list[Issue]:
        """Options this run needs whose ``${VAR}`` is set nowhere."""
        issues = []
        for key in (*self.required_options(), *self.target.options):
            raw = self.target.options.get(key)
            if raw is None:
                issues.append(
                    Issue(
                        f"target '{self.target.name}' needs '{key}'",
                        self.target.location,
                        f"add {key}: ${{VAR}} under the target and set VAR in the environment",
                    )
                )
                continue
            _value, missing = self.settings.resolve(raw)
            for name in missing:
                issues.append(
                    Issue(
                        f"{name} is not set (target '{self.target.name}', option '{key}')",
                        self.target.option_locations.get(key, self.target.location),
                        f"export {name}=... or pass --config with a settings file that has it",
                    )
                )
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

    def tracks_files(self, sources: list[Source]) -> bool:
        """Whether runs list these sources and load only files not loaded before (incremental runs)."""
        return not self.capabilities.copy_from_s3

    def stage_files(self, source: Source, files: list[Any], cache: Any) -> tuple[str, ...]:
        """What a load of exactly ``files`` reads: local paths (S3 objects downloaded to ``cache``)."""
        from engine.inputs import localise

        return localise(source, files, cache)

    def missing(self) -> str | None:
        """Where the warehouse would be, when it plainly was never built (so reading it would create it);
        None when it exists or only a connection can tell (servers)."""
        return None

    def local_file(self) -> str | None:
        """The file the warehouse lives in, when it is one on this machine (engine/diskspace.py)."""
        return None

    def open(self, wait: float = 0.0) -> None:
        """Connect; where the warehouse admits one writer and has one (Lock.EXCLUSIVE_CONNECTION),
        retry for ``wait`` seconds."""
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
        if self.schema_sql is not None and not self._schema_used:
            self._schema_used = True
            try:
                if not self.fetch(self.schema_sql.exists, "schema"):
                    self.execute(self.schema_sql.create, "schema")
                self.execute(self.schema_sql.use, "schema")
            except BaseException:
                self._schema_used = False
                raise

    def close(self) -> None:
        self._schema_used = False
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def execute(self, sql: str, step: str | None = None, feed: Feed | None = None, bound: Bound = ()) -> int | None:
        """Run one statement; return the rows it affected where the driver says (``bound``: see Bound)."""
        self.open()
        cursor = self._cursor()
        try:
            params = {name: list(values) for name, values in bound if f"${name}" in sql}
            if params:
                cursor.execute(sql, params)
            else:
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

    def lock_timed_out(self, error: TargetError) -> bool:
        """Whether a blocking lock statement gave up because its wait ran out (Lock.BLOCKING)."""
        text = error.message.lower()
        return "timeout" in text or "cancel" in text

    def explain_failure(self, error: TargetError, diagnose: TemplateCall, renderer: SqlRenderer) -> TargetError:
        """A failed load's error, made specific (see ``error_lookup``); the default adds nothing."""
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
            if self._interrupted(exc):  # Ctrl-C during a check or a query, as during any statement
                raise KeyboardInterrupt from None
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
