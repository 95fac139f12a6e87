"""Errors are values: each carries where it happened so one renderer can show it.

The CLI maps the classes to exit codes (2 for bad input, 1 for a failed run), so
the class says *whose* fault it is, not merely what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A point in a file, with the YAML path that leads to it (``star.users.primary_key``)."""

    file: Path | None
    line: int | None = None
    column: int | None = None
    yaml_path: str = ""

    def __str__(self) -> str:
        parts = [str(self.file) if self.file else "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Issue:
    """One problem found in the user's input; a ConfigError holds all of them at once."""

    message: str
    location: Location
    hint: str | None = None


class EngineError(Exception):
    """Base of everything the engine raises on purpose; anything else is a bug."""

    exit_code = 1


@dataclass
class ConfigError(EngineError):
    """The pipeline file (or a file it names) is wrong; the user must edit it."""

    issues: list[Issue] = field(default_factory=list)
    exit_code = 2

    def __post_init__(self) -> None:
        super().__init__("; ".join(i.message for i in self.issues))


class UsageError(EngineError):
    """The command line is wrong (unknown target, malformed --var)."""

    exit_code = 2


class GraphError(ConfigError):
    """The declared tables depend on each other in a circle."""


@dataclass
class TargetError(EngineError):
    """The warehouse refused a statement; ``step`` names which one."""

    message: str
    step: str | None = None
    sql: str | None = None
    #: where in the user's own SQL (.sql file or YAML) the failure is, when the step runs user SQL
    origin: Location | None = None
    origin_line: str | None = None
    exit_code = 1

    def __post_init__(self) -> None:
        super().__init__(self.message)


class RunLocked(EngineError):
    """Another run of this pipeline holds the warehouse; this one changed nothing."""

    exit_code = 1


class CheckFailed(EngineError):
    """Data checks failed; the run was rolled back and the previous tables stand."""

    exit_code = 1


class Interrupted(EngineError):
    """The user pressed Ctrl-C; the run was rolled back."""

    exit_code = 130
