"""What a run reports: each step's result, the run's, and the error that carries them when it fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.errors import EngineError
from engine.plan import Step

if TYPE_CHECKING:
    from engine.checks import CheckResult


@dataclass
class StepResult:
    step: Step
    status: str  # "ok", "failed", "pass", "fail", "warn", "skipped", "up to date"
    seconds: float
    rows: int | None = None
    check: CheckResult | None = None
    notes: list[str] = field(default_factory=list)
    #: bad source records this load skipped into _etl_rejects (on_error: skip)
    rejected: int | None = None
    #: the files a load read this run, and their bytes
    files: int | None = None
    bytes: int | None = None


@dataclass
class RunResult:
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    committed: bool = False
    incremental: bool = False
    mode_reason: str = ""
    run_id: str = ""
    #: what happened after COMMIT that the user should know (a backup that could not be dropped)
    notes: list[str] = field(default_factory=list)
    #: time outside the steps: "prepare" (connect, lock, read state) and "commit" (history, commit)
    phases: dict[str, float] = field(default_factory=dict)
    #: "full", "partial" (only what changed, and what reads it) or "incremental"
    mode: str = "full"
    #: each selected table: why this run rebuilt, updated or kept it
    tables: dict[str, str] = field(default_factory=dict)
    #: tables the pipeline built and no longer declares; ``pruned`` when --prune dropped them
    leftovers: list[str] = field(default_factory=list)
    pruned: bool = False

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
