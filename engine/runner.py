"""Execute a plan: the only place that orders build, check and publish.

The whole run is one transaction on targets with transactional DDL: tables are
dropped, rebuilt, loaded and checked inside it, and it commits only when every
error-severity check passes.  A failure anywhere, Ctrl-C included, rolls back and
the previous tables stay exactly as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.checks import CheckResult, evaluate
from engine.errors import CheckFailed, EngineError, Interrupted, TargetError
from engine.plan import Plan, Step


@dataclass
class StepResult:
    step: Step
    status: str  # "ok", "failed", "pass", "fail", "warn", "skipped"
    seconds: float
    rows: int | None = None
    check: CheckResult | None = None


@dataclass
class RunResult:
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    committed: bool = False

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [s.check for s in self.steps if s.check and s.check.blocking]


class RunFailed(EngineError):
    """A step or check failed; carries what ran so the CLI can show the summary."""

    def __init__(self, cause: EngineError, result: RunResult) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.result = result
        self.exit_code = cause.exit_code


Listener = Callable[[str, Step, StepResult | None], None]


def _quiet(event: str, step: Step, result: StepResult | None) -> None:
    """The listener used when nobody watches."""


def run_plan(plan: Plan, listener: Listener = _quiet) -> RunResult:
    """Run every step in order inside one transaction; raise RunFailed when anything fails."""
    result = RunResult()
    adapter = plan.adapter
    started = time.perf_counter()
    try:
        adapter.preflight()
        adapter.open()
        with adapter.transaction(plan.begin, plan.commit, plan.rollback):
            for step in plan.steps:
                listener("start", step, None)
                t0 = time.perf_counter()
                try:
                    result.steps.append(_run_step(plan, step))
                except (TargetError, KeyboardInterrupt):
                    result.steps.append(StepResult(step, "failed", time.perf_counter() - t0))
                    listener("end", step, result.steps[-1])
                    raise
                listener("end", step, result.steps[-1])
            failed = result.failed_checks
            if failed:
                names = ", ".join(c.check.name for c in failed)
                raise CheckFailed(f"{len(failed)} check(s) failed: {names}; nothing was published")
        result.committed = True
    except KeyboardInterrupt:
        result.seconds = time.perf_counter() - started
        raise RunFailed(Interrupted("interrupted; the run was rolled back and the previous tables stand"),
                        result) from None
    except EngineError as exc:
        result.seconds = time.perf_counter() - started
        raise RunFailed(exc, result) from None
    finally:
        adapter.close()
    result.seconds = time.perf_counter() - started
    return result


def _run_step(plan: Plan, step: Step) -> StepResult:
    t0 = time.perf_counter()
    adapter = plan.adapter
    if step.check is not None:
        if step.check.skipped_reason:
            checked = evaluate(step.check, [])
        else:
            checked = evaluate(step.check, [adapter.fetch(sql, step.id) for sql in step.statements])
        return StepResult(step, checked.status, time.perf_counter() - t0, None, checked)
    rows: int | None = None
    for sql in step.statements:
        try:
            count = adapter.execute(sql, step.id, step.feed)
        except TargetError as error:
            raise adapter.explain_failure(error, step.diagnose) from None
        if step.kind in ("load", "transform") and count is not None:
            rows = count
    return StepResult(step, "ok", time.perf_counter() - t0, rows)
