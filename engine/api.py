"""The public Python API; every CLI command is a thin call into it.

    from engine import Pipeline

    pipeline = Pipeline.load("pipeline.yaml", vars={"data_root": "data/2026-11"})
    planned = pipeline.plan(target="local")      # validated, rendered; no connection yet
    result = planned.run()                       # or pipeline.run(target="local")
    columns, rows = pipeline.query("plays_per_hour")
    columns, rows = pipeline.history()

Every error the engine raises on purpose is an ``engine.errors.EngineError``: ``ConfigError``
(bad input, with file:line locations), ``TargetError``, ``CheckFailed``, ``RunLocked``,
``Interrupted``; ``run`` wraps them in ``RunFailed``, which carries the partial result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine import config
    from engine.context import Checked, PlannedRun
    from engine.runner import Listener, RunResult
    from engine.settings import Settings


@dataclass(frozen=True)
class Rows:
    """A query's answer: column names and rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def __iter__(self) -> Any:  # so ``columns, rows = pipeline.query(...)`` reads naturally
        return iter((self.columns, self.rows))


class Pipeline:
    """A loaded, schema-checked pipeline file and the settings its ``${VAR}`` references read."""

    def __init__(self, model: config.Pipeline, settings: Settings | None = None) -> None:
        from engine.settings import Settings

        self.model = model
        self.settings = settings or Settings()

    @classmethod
    def load(
        cls,
        path: str | Path,
        vars: Mapping[str, Any] | None = None,
        vars_files: Sequence[str | Path] = (),
        config: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        allow: Sequence[str | Path] = (),
    ) -> Pipeline:
        """Load ``path``. ``vars`` override the file's vars (as ``--var``; relative paths in them resolve
        against ``cwd``, default the working directory); ``config`` is a settings file (dwh.cfg) for
        ``${VAR}`` references the environment (``env``, default os.environ) does not set; ``allow`` names
        folders beyond the pipeline's and the working directory that sources may read (``--allow-path``)."""
        from engine.config import load_pipeline
        from engine.settings import Settings
        from engine.variables import Vars

        base = (cwd or Path.cwd()).resolve()
        cli = Vars()
        for name, value in (vars or {}).items():
            cli.set(name, value, base)
        model = load_pipeline(path, cli, [base / f for f in vars_files], tuple((base / a).resolve() for a in allow))
        return cls(model, Settings(env=env, config_file=(base / config).resolve() if config else None))

    @property
    def name(self) -> str:
        return self.model.name

    def plan(
        self, target: str | None = None, connect: Any = None, select: Sequence[str] = (), exclude: Sequence[str] = ()
    ) -> PlannedRun:
        """Check everything a run needs short of a connection (references, SQL, graph, target options)
        and render every statement; ``connect`` is a DB-API connection factory (tests, embedding);
        ``select``/``exclude`` limit the run to some tables (dbt's selector syntax, engine/selection.py)."""
        from engine.context import plan_run

        return plan_run(self.model, target, self.settings, connect, tuple(select), tuple(exclude))

    def validate(self, target: str | None = None, select: Sequence[str] = (), exclude: Sequence[str] = ()) -> Checked:
        """Every check ``plan`` makes (without rendering what only shipped templates would render);
        raises ConfigError with every issue at its file and line. With ``select``/``exclude``, the
        selection is resolved and planned too."""
        from engine.context import Checked, check_plan

        if select or exclude:
            planned = self.plan(target, select=select, exclude=exclude)
            return Checked(planned.target, len(planned.plan.steps), len(planned.plan.selected))
        return check_plan(self.model, target, self.settings)

    def run(
        self,
        target: str | None = None,
        *,
        full_refresh: bool = False,
        wait: float = 0.0,
        listener: Listener | None = None,
        select: Sequence[str] = (),
        exclude: Sequence[str] = (),
        prune: bool = False,
    ) -> RunResult:
        return self.plan(target, select=select, exclude=exclude).run(
            listener, full_refresh=full_refresh, wait=wait, prune=prune
        )

    def query(self, name: str, target: str | None = None) -> Rows:
        """Run the analytic query ``name`` against the built warehouse, in a read-only transaction."""
        from engine import query

        planned = self.plan(target)
        (answer,) = query.run(planned, query.pick(planned, name), str(self.model.file))
        return Rows(answer.columns, answer.rows)

    def sql(self, text: str, target: str | None = None) -> Rows:
        """One ad hoc SELECT (refused otherwise) against the built warehouse, read-only."""
        from engine import query

        planned = self.plan(target)
        (answer,) = query.run(planned, [("sql", query.adhoc(planned, text))], str(self.model.file))
        return Rows(answer.columns, answer.rows)

    def history(
        self,
        target: str | None = None,
        run_id: str | None = None,
        limit: int = 20,
        wait: float = 0.0,
        say: Callable[[str], None] | None = None,
    ) -> Rows:
        """The runs recorded in the warehouse, newest first, or one run's steps.  Where a run holds the
        warehouse (a DuckDB file admits one process), wait up to ``wait`` seconds, told through ``say``."""
        from engine import history
        from engine.readers import open_to_read

        ctx = self.plan(target).context
        ctx.adapter.preflight()
        try:
            open_to_read(ctx.adapter, wait, say or (lambda _text: None))
            return Rows(*(history.steps(ctx, run_id) if run_id else history.runs(ctx, limit)))
        finally:
            ctx.adapter.close()
