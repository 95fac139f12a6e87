"""Everything the user sees: progress, summary tables, and the one-screen error view.

Errors are rendered here and nowhere else, from the values the engine raises.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from engine.errors import ConfigError, EngineError, TargetError

if TYPE_CHECKING:
    from rich.console import Console

    from engine.context import PlannedRun
    from engine.runner import RunResult, StepResult

MAX_ISSUES = 15


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output (CI logs, files) gets a wide fixed width so tables are never cut.
    width = None if stream.isatty() else 160
    # no emoji: ``:a:`` in a table or step name is text, not a picture
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width, emoji=False)


#: characters a terminal acts on instead of showing: C0/C1 controls (ESC starts escape sequences)
#: and the bidirectional overrides that can make a message read differently from what it says
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _shown(text: str) -> str:
    """Text as the engine prints it: secrets masked, controls escaped."""
    from engine.redact import redact

    return _UNSHOWABLE.sub(lambda m: repr(m.group())[1:-1], redact(text))


def safe(text: str) -> str:
    """Text the engine prints that may quote settings or data: secrets masked, controls escaped,
    and rich's markup brackets (``data [x]``) shown as they are."""
    from rich.markup import escape

    return escape(_shown(text))


def announce(planned: PlannedRun) -> None:
    """The first line of a run: what runs where (the target's description may hold a DSN)."""
    plan = planned.plan
    text = f"running {plan.pipeline} on {plan.target} ({plan.where})"
    if not sys.stderr.isatty():  # a log: no need of rich (see _print_table)
        sys.stderr.write(_shown(text) + "\n")
        return
    console(stderr=True).print(safe(text))


def error_text(exc: EngineError) -> str:
    """The plain-text report for an engine error, secrets masked: what, where, and what to do.

    Messages quote the user's input (keys, paths, SQL), so control characters in it are
    shown escaped, never sent to the terminal.
    """
    return _shown(_error_text(exc))


def _error_text(exc: EngineError) -> str:
    lines: list[str] = []
    if isinstance(exc, ConfigError):
        shown = exc.issues[:MAX_ISSUES]
        for issue in shown:
            where = str(issue.location)
            path = f" {issue.location.yaml_path}:" if issue.location.yaml_path else ""
            lines.append(f"error: {where}:{path} {issue.message}")
            if issue.hint:
                lines.append(f"  hint: {issue.hint}")
        if len(exc.issues) > MAX_ISSUES:
            lines.append(f"... and {len(exc.issues) - MAX_ISSUES} more")
        return "\n".join(lines)
    if isinstance(exc, TargetError):
        lines.append(f"error: {'step ' + exc.step + ': ' if exc.step else ''}{exc.message}")
        if exc.origin is not None:
            lines.append(f"  in your SQL: {exc.origin}" + (f": {exc.origin_line}" if exc.origin_line else ""))
        if exc.sql:
            snippet = exc.sql.strip().splitlines()
            lines.append("  while running:")
            lines.extend("    " + s for s in snippet[:8])
            if len(snippet) > 8:
                lines.append("    ...")
        return "\n".join(lines)
    return f"error: {exc}"


def show_error(exc: EngineError) -> None:
    if not sys.stderr.isatty():  # a log: the same text, uncoloured
        sys.stderr.write(error_text(exc) + "\n")
        return
    from rich.markup import escape

    err = console(stderr=True)
    for line in error_text(exc).splitlines():
        style = "bold red" if line.startswith("error") else "yellow" if "hint:" in line else ""
        err.print(f"[{style}]{escape(line)}[/]" if style else escape(line))


def print_plan(planned: PlannedRun) -> None:
    """The dry run: every statement a full run executes, in order, by phase, each headed by its step."""
    from engine.redact import redact

    plan = planned.plan
    out = sys.stdout
    out.write(redact(f"-- pipeline {plan.pipeline} -> target {plan.target} ({plan.where})\n"))
    for phase, items in plan.phases():
        out.write(f"\n-- ==== {phase}: {PLAN_PHASES.get(phase, '')}\n")
        for step_id, sql in items:
            out.write(f"\n-- {step_id}\n{redact(sql)};\n")
        if phase == "bookkeeping":
            out.write(
                '\n-- history: INSERT INTO "_etl_runs" / "_etl_run_steps" (this run\'s record, rendered '
                "when it ends; a failed run writes it after the rollback)\n"
            )
    missing = planned.adapter.unresolved()
    if missing:
        out.write(
            "\n-- not set (a real run needs them): "
            + ", ".join(sorted({i.message.split(" ")[0] for i in missing}))
            + "\n"
        )


#: what each phase of a run is, for the dry run
PLAN_PHASES = {
    "setup": "bookkeeping tables, in a transaction of their own",
    "begin": "the run's transaction (and what bounds the lock's wait, before it)",
    "lock": "one run of this pipeline at a time: the first statement of the transaction",
    "state": "a full run forgets the files and table definitions it recorded before",
    "build": "shadow tables: create, load (each load also records its files), transform",
    "check": "every check, on the shadows; any failing error-severity check rolls the run back",
    "publish": "the shadows take the live tables' place, grants re-applied",
    "bookkeeping": "how each table was built, committed with the data",
    "commit": "",
    "cleanup": "after COMMIT: what publish left behind",
}

#: the time a command spends outside the steps, as the summary names it
PHASES = {
    "startup": "startup (read the pipeline, plan)",
    "prepare": "prepare (connect, lock, read state)",
    "commit": "commit (record the run, commit)",
    "other": "other (between steps, cleanup)",
}


def _terminal() -> bool:
    return sys.stdout.isatty()


def _print_table(title: str | None, columns: list[tuple[str, str]], rows: list[list[str]]) -> None:
    """A table on stdout: rich's on a terminal, the same boxes as plain text elsewhere (engine/plain_table.py).
    Cells are plain text, shown as they are."""
    if not _terminal():
        from engine.plain_table import table as plain

        sys.stdout.write(plain(title, columns, [[_UNSHOWABLE.sub("?", c) for c in row] for row in rows]))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title) if title else None, title_justify="left")
    for name, justify in columns:
        table.add_column(escape(name), justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(escape(c) for c in row))
    console().print(table)


def _print(text: str, style: str = "") -> None:
    """One line of plain text on stdout (secrets masked, controls escaped); ``style`` colours it on a terminal."""
    shown = _shown(text)
    if not _terminal():
        sys.stdout.write(shown + "\n")
        return
    from rich.markup import escape

    console().print(f"[{style}]{escape(shown)}[/]" if style else escape(shown))


def print_summary(
    result: RunResult, title: str, phases: dict[str, float] | None = None, wall: float | None = None
) -> None:
    """The run's table: each step once, then the time outside the steps, and the total (``wall`` when
    given: the whole command's time, which the rows above add up to)."""
    if not result.steps:
        return

    rejecting = any(s.rejected is not None for s in result.steps)
    columns = [
        ("step", "left"),
        ("rows", "right"),
        *([("rejected", "right")] if rejecting else []),
        ("seconds", "right"),
        ("status", "left"),
    ]
    rows: list[list[str]] = []
    for s in result.steps:
        if s.check is not None:
            continue
        rejected = [f"{s.rejected:,}" if s.rejected is not None else ""] if rejecting else []
        rows.append([s.step.id, f"{s.rows:,}" if s.rows is not None else "", *rejected, f"{s.seconds:.2f}", s.status])
    checks = [s for s in result.steps if s.check is not None]
    passed = sum(1 for s in checks if s.status == "pass")
    if checks:
        rows.append(
            [
                f"checks ({len(checks)})",
                "",
                *([""] if rejecting else []),
                f"{sum(s.seconds for s in checks):.2f}",
                f"{passed} passed" + "".join(f", {n} {k}" for k, n in _count(checks).items()),
            ]
        )
    for phase, seconds in (phases or {}).items():
        rows.append([PHASES.get(phase, phase), "", *([""] if rejecting else []), f"{seconds:.2f}", ""])
    mode = {"incremental": "incremental", "partial": "rebuilt what changed"}.get(result.mode, "full refresh")
    total_rejected = [f"{sum(s.rejected or 0 for s in result.steps):,}"] if rejecting else []
    rows.append(
        [
            f"total ({mode}: {result.mode_reason})" if result.mode_reason else "total",
            "",
            *total_rejected,
            f"{result.seconds if wall is None else wall:.2f}",
            "committed" if result.committed else "rolled back",
        ]
    )
    _print_table(title, columns, rows)
    _tables_and_leftovers(result)
    problems = [s.check for s in checks if s.check and s.check.status in ("fail", "warn", "skipped")]
    if problems:
        from engine.redact import redact

        _print_table(
            "checks not passed",
            [(name, "left") for name in ("check", "table", "expected", "actual", "status")],
            [[c.check.name, c.check.table, redact(c.expected), redact(c.actual), c.status] for c in problems],
        )
        from engine.samples import as_text

        for c in problems:
            if c.failing and c.failing[1]:
                _print(f"failing rows of {c.check.name} (first {len(c.failing[1])}):")
                for line in as_text(c.failing):
                    _print("  " + line)

    notes = [f"{s.step.id}: {note}" for s in result.steps if s.status != "kept" for note in s.notes]
    for note in notes:
        _print(f"note: {note}")


def _tables_and_leftovers(result: RunResult) -> None:
    """Per table, why this run rebuilt, updated or kept it; then the tables the pipeline no longer declares."""
    if result.tables:
        size = max(len(t) for t in result.tables)
        _print("tables:")
        for name, why in result.tables.items():
            _print(f"  {name:<{size}}  {why}")
    if result.leftovers:
        names = ", ".join(result.leftovers)
        if result.pruned:
            _print(f"pruned (built by this pipeline, no longer declared): {names}")
        else:
            _print(
                f"not declared any more, still in the warehouse (built by this pipeline): {names}; "
                "drop them with --prune",
                "yellow",
            )


def _count(checks: list[StepResult]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in checks:
        if s.status != "pass":
            out[s.status] = out.get(s.status, 0) + 1
    return out
