"""What a run shows while it runs, on stderr (stdout keeps the summary, for pipes).

On a terminal: one line that changes in place, a spinner with the running step and its
elapsed time; finished steps are not repeated there (the summary lists each step once),
only what needs attention (a failure, a warning, a note) is printed as it happens.
Elsewhere (CI logs, pipes): one plain line per finished step, no control characters.
With ``--log-format json``: one JSON object per event, nothing else (engine/run_log.py).
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from engine.plan import Step
    from engine.runner import StepResult

_QUIET = {"ok", "pass", "skipped", "up to date", "kept"}


def _size(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:,.1f} {unit}"


def step_line(step: Step, result: StepResult) -> str:
    rows = f"{result.rows:,} rows" if result.rows is not None else ""
    if result.check is not None and result.status != "skipped":
        rows = result.check.actual
    return f"{result.status:>10} {step.id:<45} {rows:>18} {result.seconds:8.2f}s"


class PlainProgress:
    """One line per finished step (and its notes), written as it finishes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, event: str, step: Step, result: StepResult | None) -> None:
        if event != "end" or result is None:
            return
        from engine.output import _UNSHOWABLE

        lines = [step_line(step, result), *(f"{'note':>10} {n}" for n in result.notes)]
        for line in lines:
            self.stream.write(_UNSHOWABLE.sub("?", line) + "\n")
        self.stream.flush()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _Running:
    """The live line: rich renders it a few times a second, so the elapsed time moves on its own."""

    def __init__(self) -> None:
        from rich.spinner import Spinner

        self.spinner = Spinner("dots", style="cyan")
        self.step = ""
        self.t0 = time.perf_counter()
        self.done = 0
        self.total = 0
        #: what the running step reads (a load's files and bytes), once the runner knows
        self.detail = ""

    def __rich__(self) -> Any:
        if not self.step:
            return ""
        elapsed = time.perf_counter() - self.t0
        detail = f"  {self.detail}" if self.detail else ""
        self.spinner.update(text=f"{self.step}  {elapsed:6.1f}s{detail}   [dim]step {self.done + 1} of {self.total}[/]")
        return self.spinner


class LiveProgress:
    """The spinner line for the running step; only failures, warnings and notes print above it."""

    def __init__(self, total_steps: int) -> None:
        from rich.live import Live

        from engine.output import console

        self.console = console(stderr=True)
        self.running = _Running()
        self.running.total = total_steps
        self.live = Live(self.running, console=self.console, refresh_per_second=8, transient=True)

    def __enter__(self) -> LiveProgress:
        self.live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.live.stop()

    def __call__(self, event: str, step: Step, result: StepResult | None) -> None:
        from rich.markup import escape

        if event == "start":
            self.running.step, self.running.t0 = step.id, time.perf_counter()
            self.live.refresh()  # show it now: most steps end before the next timed refresh
            return
        if result is None:
            return
        if event == "input":
            files = result.files or 0
            self.running.detail = f"{files:,} file{'s' if files != 1 else ''}, {_size(result.bytes or 0)}"
            self.live.refresh()
            return
        self.running.done += 1
        self.running.detail = ""
        self.running.step = ""
        if result.status not in _QUIET:
            colour = "yellow" if result.status == "warn" else "red"
            self.console.print(f"[{colour}]{escape(step_line(step, result))}[/]")
        for note in result.notes:
            self.console.print(f"[yellow]{'note':>10}[/] {escape(note)}")


def progress_for(total_steps: int, log_format: str) -> Any:
    """The listener for this run's output mode; use it as a context manager around the run."""
    if log_format == "json":
        from engine.run_log import JsonLog

        return JsonLog()
    if sys.stderr.isatty():
        return LiveProgress(total_steps)
    return PlainProgress()
