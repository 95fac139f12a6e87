"""Vars: defaults in the pipeline, overridden by vars files, overridden by --var.

Strings in the pipeline file may use ``{{ name }}``.  A relative path resolves
against the folder of whoever wrote its first part: a path written in
pipeline.yaml against that file's folder, a path given with ``--var`` against
the working directory (as with any command-line tool), a path from a vars file
against that file's folder.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, Issue, Location

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

_LEADING_VAR = re.compile(r"^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass
class Vars:
    """Variable values and the folder each one's relative paths resolve against."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Path] = field(default_factory=dict)

    def set(self, name: str, value: Any, origin: Path) -> None:
        self.values[name] = value
        self.origins[name] = origin


def parse_cli_vars(pairs: list[str], cwd: Path) -> Vars:
    """``["k=v", ...]`` from the command line; values stay strings, as typed."""
    out = Vars()
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip()):
            raise ConfigError([Issue(f"--var {pair!r} is not NAME=VALUE", Location(None))])
        out.set(name.strip(), value, cwd)
    return out


_REFERENCE = re.compile(r"""\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)|\bvar(?:_data)?\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


def referenced_vars(data: Any, root: Path) -> set[str]:
    """Var names the pipeline's strings and its .sql files use (``{{ name }}``, ``var('name')``): a --var
    setting one of them is not a typo even where no default is declared."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.update(a or b for a, b in _REFERENCE.findall(value))
            text = value.strip()
            if not text.endswith(".sql") or "\n" in text or "{" in text:
                return
            # only files inside the pipeline's folder: the model checks (and reports) the others
            sql_file = (root / text).resolve()
            if sql_file.is_relative_to(root):
                with suppress(OSError, UnicodeDecodeError):
                    found.update(a or b for a, b in _REFERENCE.findall(sql_file.read_text(encoding="utf-8")))

    walk(data)
    return found


def unknown_cli_vars(cli: Vars, known: set[str], where: Location) -> list[Issue]:
    """A ``--var`` naming no declared var is a typo until proven otherwise: it would change nothing."""
    from engine.validate import suggest

    issues = []
    for name in cli.values:
        if name not in known:
            issues.append(
                Issue(
                    f"--var {name}: the pipeline declares no var '{name}', so it would change nothing",
                    where,
                    suggest(name, known)
                    or (
                        f"declare it under vars: (known: {', '.join(sorted(known)) or 'none'}), "
                        "or set free_vars: true to accept any --var"
                    ),
                )
            )
    return issues


#: the largest string or list a template may build with ``*``, and the largest ``**`` result in bits
MAX_REPEAT = 1_000_000
MAX_POWER_BITS = 100_000


def sandbox_class() -> type[SandboxedEnvironment]:
    """Jinja's sandbox, also bounding ``*`` and ``**`` so ``{{ 'x' * 10**12 }}`` cannot exhaust memory."""
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import Context
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
            if (
                operator == "**"
                and isinstance(left, int)
                and isinstance(right, int)
                and abs(left) > 1
                and right * left.bit_length() > MAX_POWER_BITS
            ):
                raise SecurityError(f"{left} ** {right} is too large for a template")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                        raise SecurityError(f"repeating a {type(seq).__name__} {n} times is too large for a template")
            return super().call_binop(context, operator, left, right)

    return BoundedSandbox


class Renderer:
    """Renders ``{{ }}`` in pipeline strings; sandboxed, so a var cannot call code."""

    def __init__(self, variables: Vars) -> None:
        from jinja2 import ChainableUndefined, StrictUndefined

        self.vars = variables
        sandbox = sandbox_class()
        self._strict = sandbox(undefined=StrictUndefined, autoescape=False)
        self._lenient = sandbox(undefined=ChainableUndefined, autoescape=False)

    def render(self, text: str, where: Location, *, lenient: bool = False) -> str:
        # only these open a Jinja construct: a ``${VAR:-default}`` reference renders as it is, and
        # compiling it as a template costs about half a millisecond
        if "{{" not in text and "{%" not in text and "{#" not in text:
            return text
        from jinja2 import TemplateError, UndefinedError

        env = self._lenient if lenient else self._strict
        try:
            return env.from_string(text).render(self.vars.values)
        except UndefinedError as exc:
            from engine.validate import suggest

            name = re.search(r"'([^']+)' is undefined", str(exc))
            hint = suggest(name.group(1), list(self.vars.values)) if name else None
            raise ConfigError(
                [
                    Issue(
                        f"undefined var: {exc.message}", where, hint or "define it under vars: or pass --var NAME=VALUE"
                    )
                ]
            ) from None
        except TemplateError as exc:
            raise ConfigError([Issue(f"bad template {text!r}: {exc}", where)]) from None
        except Exception as exc:  # whatever the user's expression raises ({{ 1 / 0 }}) is theirs to fix
            raise ConfigError([Issue(f"bad template {text!r}: {type(exc).__name__}: {exc}", where)]) from None

    def base_for(self, text: str, default: Path) -> Path:
        """The folder a relative path built from ``text`` resolves against."""
        match = _LEADING_VAR.match(text)
        if match and match.group(1) in self.vars.origins:
            return self.vars.origins[match.group(1)]
        return default

    def path(self, text: str, where: Location, default_base: Path) -> str:
        """Render ``text`` and make it absolute unless it is a URI (``s3://…``)."""
        rendered = self.render(text, where)
        if "://" in rendered:
            return rendered
        path = Path(rendered).expanduser()
        if not path.is_absolute():
            path = self.base_for(text, default_base) / path
        return str(Path(_normalize(path)))


def _normalize(path: Path) -> str:
    import os

    return os.path.normpath(path)
