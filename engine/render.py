"""Jinja rendering of SQL: the user's folder, then templates/<dialect>, then templates/default.

All SQL text lives in template files.  Python contributes only escaping
(``ident`` and ``literal`` filters, done by sqlglot for the target dialect) and
the values a template needs.  User SQL (a star table's SELECT, a custom check)
is rendered through the same environment, so the dialect's macros
(``epoch_ms_to_timestamp``…) work there too and vars arrive as quoted literals
through ``var('name')``, never as pasted text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.errors import ConfigError, Issue, Location
from engine.resources import data_dir


class SqlRenderer:
    """Renders named templates and user SQL for one dialect."""

    def __init__(self, dialect: str | tuple[str, ...], sqlglot_dialect: str, user_dir: Path | None = None,
                 variables: dict[str, Any] | None = None) -> None:
        from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        # A dialect may build on another (redshift on postgres): its folder first, then the base's.
        chain = (dialect,) if isinstance(dialect, str) else dialect
        shipped = data_dir("templates")
        candidates: list[Path | None] = [user_dir / d if user_dir else None for d in chain]
        candidates += [user_dir, *(shipped / d for d in chain), shipped / "default"]
        folders = [p for p in candidates if p and p.is_dir()]
        self.dialect = chain[0]
        self.sqlglot_dialect = sqlglot_dialect
        self.variables = dict(variables or {})
        self.env = SandboxedEnvironment(loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
                                        undefined=StrictUndefined, autoescape=False,
                                        keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["ident"] = self.ident
        self.env.filters["literal"] = self.literal
        self.env.globals["var"] = self.var
        # User SQL keeps its line breaks, so a parse error's line is the line in the user's file.
        self.user_env = self.env.overlay(trim_blocks=False, lstrip_blocks=False)
        macros = self.env.get_template("macros.sql").module
        for name in dir(macros):
            if not name.startswith("_"):
                self.env.globals[name] = getattr(macros, name)
                self.user_env.globals[name] = getattr(macros, name)

    def ident(self, name: str) -> str:
        """A quoted identifier, so reserved words such as ``time`` work as table names."""
        from sqlglot import exp

        return exp.to_identifier(name, quoted=True).sql(dialect=self.sqlglot_dialect)

    def literal(self, value: Any) -> str:
        """A SQL literal for ``value``, escaped by sqlglot for this dialect."""
        from sqlglot import exp

        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return exp.Literal.number(value).sql(dialect=self.sqlglot_dialect)
        return exp.Literal.string(str(value)).sql(dialect=self.sqlglot_dialect)

    def var(self, name: str) -> str:
        if name not in self.variables:
            from jinja2 import UndefinedError

            raise UndefinedError(f"var '{name}' is undefined")
        return self.literal(self.variables[name])

    def template(self, name: str, **context: Any) -> str:
        """Render the template file ``name`` (e.g. ``create_table.sql``)."""
        return self.env.get_template(name).render(**context).strip()

    def statements(self, name: str, **context: Any) -> tuple[str, ...]:
        """Render a template that may hold several statements separated by ``;``.

        The split uses sqlglot's tokenizer, so a ``;`` inside a quoted literal (a var, a
        path) never starts a new statement: rendering cannot be turned into injection.
        """
        from sqlglot import TokenType
        from sqlglot.dialects.dialect import Dialect

        text = self.template(name, **context)
        tokens = Dialect.get_or_raise(self.sqlglot_dialect).tokenize(text)
        out: list[str] = []
        start = 0
        for token in tokens:
            if token.token_type == TokenType.SEMICOLON:
                out.append(text[start:token.start].strip())
                start = token.end + 1
        out.append(text[start:].strip())
        return tuple(s for s in out if s)

    def has_template(self, name: str) -> bool:
        from jinja2 import TemplateNotFound

        try:
            self.env.get_template(name)
        except TemplateNotFound:
            return False
        return True

    def user_sql(self, text: str, where: Location) -> str:
        """Render a user's SELECT; errors point at the YAML (or .sql file) it came from."""
        from jinja2 import TemplateError

        try:
            return self.user_env.from_string(text).render().rstrip().rstrip(";").rstrip()
        except TemplateError as exc:
            raise ConfigError([Issue(f"cannot render SQL: {exc}", where)]) from None
