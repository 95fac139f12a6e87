"""What the docs site shows of past runs, read from the warehouse's run history when there is one.

Reading must never build anything: a warehouse that is not there (``Adapter.missing``) or
holds no history yields an empty record with the reason, and so does one that cannot be
reached (the site is still written, without history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError

if TYPE_CHECKING:
    from engine.context import PlannedRun


@dataclass
class RunHistory:
    #: newest first: run_id, started_at, mode, status, seconds, pipeline_hash, error
    runs: list[dict[str, Any]] = field(default_factory=list)
    #: run_id -> that run's steps (step, table_name, kind, status, rows, seconds, detail)
    steps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: why there is no history, when there is none
    note: str = ""

    def table_rows(self, table: str) -> list[tuple[dict[str, Any], int | None]]:
        """(run, rows) for each run, oldest first, where the run loaded or built ``table``."""
        out = []
        for run in reversed(self.runs):
            for s in self.steps.get(run["run_id"], []):
                if s["table_name"] == table and s["kind"] in ("load", "transform"):
                    out.append((run, s["rows"]))
        return out

    def last_check(self, check: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The newest run that ran ``check``, and the check's step there."""
        for run in self.runs:
            for s in self.steps.get(run["run_id"], []):
                if s["step"] == f"check:{check}":
                    return run, s
        return None


def read_history(plan: PlannedRun, limit: int = 20) -> RunHistory:
    adapter = plan.adapter
    missing = adapter.missing()
    if missing:
        return RunHistory(note=f"no warehouse yet at {missing}: the run history appears after the first run")
    if adapter.unresolved():
        return RunHistory(note="the target's settings are incomplete, so its run history was not read")
    from engine import history

    try:
        names, rows = history.runs(plan.context, limit)
        runs = [dict(zip(names, r, strict=True)) for r in rows]
        steps: dict[str, list[dict[str, Any]]] = {}
        if runs:
            sql = plan.renderer.template("history/recent_steps.sql", run_ids=[r["run_id"] for r in runs])
            snames, srows = adapter.fetch_named(sql, "history")
            for r in srows:
                row = dict(zip(snames, r, strict=True))
                steps.setdefault(row["run_id"], []).append(row)
    except EngineError as exc:
        return RunHistory(note=f"no run history read from {adapter.describe()}: {str(exc).splitlines()[0]}")
    finally:
        adapter.close()
    return RunHistory(runs, steps, "" if runs else "no runs recorded yet")
