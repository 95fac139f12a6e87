"""Jinja rendering of SQL: the user's folder, then templates/<dialect>, then templates/default.

All SQL text lives in template files.  Python contributes only escaping
(``ident`` and ``literal`` filters, done by sqlglot for the target dialect) and
the values a template needs.  User SQL (a star table's SELECT, a custom check)
is rendered through the same environment, so the dialect's macros
(``epoch_ms_to_timestamp``…) work there too and vars arrive as quoted literals
through ``var('name')``, never as pasted text.
"""

from __future__ import annotations

import itertools
import re
import traceback
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.errors import ConfigError, EngineError, Issue, Location
from engine.resources import data_dir
from engine.user_cache import bytecode_cache


class SqlRenderer:
    """Renders named templates and user SQL for one dialect."""

    def __init__(
        self,
        dialect: str | Path | tuple[str | Path, ...],
        sqlglot_dialect: str,
        user_dir: Path | None = None,
        variables: dict[str, Any] | None = None,
    ) -> None:
        from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined

        from engine.variables import sandbox_class

        if user_dir is not None and not user_dir.is_dir():  # else the shipped templates would silently stand in
            raise ConfigError(
                [
                    Issue(
                        f"templates folder not found: {user_dir}",
                        Location(None, yaml_path="templates"),
                        "templates: names a folder of template overrides",
                    )
                ]
            )
        # A dialect may build on another (redshift on postgres): its folder first, then the base's. An
        # adapter that lives outside the engine names its own folder (a Path) instead of a shipped one.
        chain = (dialect,) if isinstance(dialect, (str, Path)) else dialect
        shipped = data_dir("templates")
        named = [d for d in chain if isinstance(d, str)]
        candidates: list[Path | None] = [user_dir / d for d in named] if user_dir else []
        candidates += [user_dir, *(d if isinstance(d, Path) else shipped / d for d in chain), shipped / "default"]
        folders = list(dict.fromkeys(p for p in candidates if p and p.is_dir()))
        self.dialect = chain[0] if isinstance(chain[0], str) else chain[0].name
        self.user_dir = user_dir.resolve() if user_dir else None
        self.sqlglot_dialect = sqlglot_dialect
        self.variables = dict(variables or {})
        self.env = sandbox_class()(
            loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=bytecode_cache(),
        )
        self.env.filters["ident"] = self.ident
        self.env.filters["literal"] = self.literal
        self.env.filters["literals"] = self.literals
        self.env.globals["var"] = self.var
        self.env.globals["var_data"] = self.var_data
        # User SQL keeps its line breaks, so a parse error's line is the line in the user's file; a var's
        # text that reaches the output as it is (a var_data element) goes out as a quoted literal.
        self.user_env = self.env.overlay(
            trim_blocks=False, lstrip_blocks=False, finalize=sql_value, bytecode_cache=None
        )
        self._load_macros(folders)

    def _load_macros(self, folders: list[Path]) -> None:
        """Macros fall back one at a time: templates/default's, then each dialect folder's, then the
        user's; a later macros.sql overrides only the macros it defines and may call the others."""
        from jinja2 import FileSystemLoader

        for folder in reversed(folders):
            if not (folder / "macros.sql").is_file():
                continue
            try:
                template = FileSystemLoader(str(folder)).load(self.env, "macros.sql", dict(self.env.globals))
                macros = template.module
            except Exception as exc:  # a user's macros.sql may be broken or hostile
                raise self._template_error(exc, "macros.sql") from None
            for name in dir(macros):
                if not name.startswith("_"):
                    self.env.globals[name] = getattr(macros, name)
                    self.user_env.globals[name] = getattr(macros, name)

    def ident(self, name: str, prefix: str = "", suffix: str = "") -> str:
        """A quoted identifier, so reserved words such as ``time`` work as table names; ``prefix`` and
        ``suffix`` build a name from a var_data element (``{{ m | ident(suffix='_amount') }}``)."""
        text = str.__str__(name) if isinstance(name, str) else str(name)
        return _quoted_identifier(f"{prefix}{text}{suffix}", self.sqlglot_dialect)

    def literal(self, value: Any) -> str:
        """A SQL literal for ``value``, escaped by sqlglot for this dialect."""
        if value is None:
            return "NULL"
        if isinstance(value, VarText):
            value = str.__str__(value)
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, str) and "\\" not in value and value.isprintable():
            # the common case, thousands of times per load (file paths): quotes doubled is the
            # standard escape in every dialect here; anything unusual goes through sqlglot
            return "'" + value.replace("'", "''") + "'"
        if isinstance(value, int):
            return str(value)
        from sqlglot import exp

        if isinstance(value, float):
            return exp.Literal.number(value).sql(dialect=self.sqlglot_dialect)
        return exp.Literal.string(str(value)).sql(dialect=self.sqlglot_dialect)

    def literals(self, values: Any) -> str:
        """``values`` as comma-separated SQL literals: a load's file list, thousands long, costs one call
        instead of a sandboxed template loop (the loop's attribute checks cost ~7 ms per thousand paths)."""
        return ", ".join(self.literal(v) for v in values)

    def var(self, name: str) -> str:
        if name not in self.variables:
            from jinja2 import UndefinedError

            raise UndefinedError(f"var '{name}' is undefined")
        return self.literal(self.variables[name])

    def var_data(self, name: str) -> Any:
        """A var as data for ``{% for %}`` and ``{% if %}``: lists and maps stay lists and maps; any text in
        them, output as it is, is a quoted SQL literal (never pasted as SQL)."""
        if name not in self.variables:
            from jinja2 import UndefinedError

            raise UndefinedError(f"var '{name}' is undefined")
        return as_data(self.variables[name], self.literal)

    def template(self, name: str, **context: Any) -> str:
        """Render the template file ``name`` (e.g. ``create_table.sql``)."""
        try:
            return self.env.get_template(name).render(**context).strip()
        except Exception as exc:
            raise self._template_error(exc, name) from None

    def _template_error(self, exc: Exception, name: str) -> Exception:
        """A ConfigError pointing into the template file, when the fault is the template's.

        Jinja errors (syntax, sandbox refusals, undefined names) always are; any other
        exception only when it was raised inside a file of the user's templates folder:
        an error inside a shipped template is a bug, and keeps its traceback.
        """
        from jinja2 import TemplateError

        if isinstance(exc, EngineError):
            return exc
        where = _template_location(exc)
        in_user_dir = self._in_user_dir(where)
        if not isinstance(exc, TemplateError) and not in_user_dir:
            return exc
        text = str(exc) if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
        return ConfigError(
            [
                Issue(
                    f"cannot render template {name}: {text}",
                    where or Location(None),
                    "fix the template (templates: in the pipeline names the folder)" if in_user_dir else None,
                )
            ]
        )

    def _in_user_dir(self, where: Location | None) -> bool:
        return (
            where is not None
            and where.file is not None
            and self.user_dir is not None
            and where.file.resolve().is_relative_to(self.user_dir)
        )

    def statements(self, name: str, **context: Any) -> tuple[str, ...]:
        """Render a template that may hold several statements separated by ``;``.

        The split uses sqlglot's tokenizer, so a ``;`` inside a quoted literal (a var, a
        path) never starts a new statement: rendering cannot be turned into injection.
        """
        text = self.template(name, **context)
        if ";" not in text:
            return (text,) if text.strip() else ()
        matches = _simple(text, _SPLIT)
        if matches is not None:
            # no escapes, dollar quotes or nested comments: quotes and comments are all a ';' can hide in,
            # and a regular expression finds them at C speed (a load lists thousands of file paths)
            cuts = [m.start() for m in matches if m.group() == ";"]
            bounds = zip([-1, *cuts], [*cuts, len(text)], strict=True)
            return tuple(s for s in (text[a + 1 : b].strip() for a, b in bounds) if s)
        from sqlglot import TokenType
        from sqlglot.dialects.dialect import Dialect

        tokens = Dialect.get_or_raise(self.sqlglot_dialect).tokenize(text)
        out: list[str] = []
        start = 0
        for token in tokens:
            if token.token_type == TokenType.SEMICOLON:
                out.append(text[start : token.start].strip())
                start = token.end + 1
        out.append(text[start:].strip())
        return tuple(s for s in out if s)

    def has_template(self, name: str) -> bool:
        from jinja2 import TemplateNotFound

        try:
            self.env.get_template(name)
        except TemplateNotFound:
            return False
        except Exception as exc:
            raise self._template_error(exc, name) from None
        return True

    def user_sql(self, text: str, where: Location) -> str:
        """Render a user's SELECT; errors point at the YAML (or .sql file) it came from.

        The result must be one statement: a ``;`` followed by more SQL is refused, so a
        SELECT (or a var inside one) cannot smuggle a second statement into the run.
        """
        from jinja2 import TemplateError

        try:
            # no "{": nothing for Jinja to do, and compiling a template per SELECT is most of validating
            # a large pipeline
            source = text if "{" in text else None
            rendered = (
                (self.user_env.from_string(source).render() if source is not None else text)
                .rstrip()
                .rstrip(";")
                .rstrip()
            )
        except EngineError:
            raise
        except Exception as exc:  # anything user-written template code raises is the user's to fix
            inner = _template_location(exc)  # the user's macro that failed, if it was one
            message = str(exc) if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
            raise ConfigError(
                [Issue(f"cannot render SQL: {message}", inner if inner and self._in_user_dir(inner) else where)]
            ) from None
        second = self._second_statement(rendered)
        if second is not None:
            raise ConfigError(
                [
                    Issue(
                        f"the SQL holds more than one statement (a second one starts on line {second})",
                        where,
                        "one SELECT per table, check or query; remove the ';'",
                    )
                ]
            )
        return rendered

    def _second_statement(self, sql: str) -> int | None:
        """The line where a second statement starts in ``sql``, or None when there is one only."""
        matches = _simple(sql, _TOKENS)
        if matches is not None:  # as in statements()
            ended = False
            for m in matches:
                text = m.group()
                if text == ";":
                    ended = True
                elif ended and not text.startswith(("--", "/*")):
                    return sql.count("\n", 0, m.start()) + 1
            return None
        from sqlglot import TokenType
        from sqlglot.dialects.dialect import Dialect
        from sqlglot.errors import TokenError

        try:
            tokens = Dialect.get_or_raise(self.sqlglot_dialect).tokenize(sql)
        except TokenError:
            return None  # the parser reports it, with its position
        for token, after in itertools.pairwise(tokens):
            if token.token_type == TokenType.SEMICOLON and after.token_type != TokenType.SEMICOLON:
                return after.line
        return None


class VarText(str):
    """Text from a var, given to user SQL as data: it compares and iterates as text, but whenever it is
    turned into output text (``{{ m }}``, ``m ~ 'x'``) it becomes a quoted SQL literal."""

    _quote: Callable[[Any], str]

    def __new__(cls, value: str, quote: Callable[[Any], str]) -> VarText:
        self = super().__new__(cls, value)
        self._quote = quote
        return self

    def __str__(self) -> str:
        return self._quote(str.__str__(self))

    def __format__(self, spec: str) -> str:
        return str(self)


def as_data(value: Any, quote: Callable[[Any], str]) -> Any:
    """``value`` with its text wrapped in VarText (quoted through ``quote``), lists and maps kept."""
    if isinstance(value, str):
        return VarText(value, quote)
    if isinstance(value, dict):
        return {as_data(k, quote): as_data(v, quote) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_data(v, quote) for v in value]
    return value


def sql_value(value: Any) -> Any:
    """How user SQL outputs a value: VarText as its literal, None as NULL, the rest as it is."""
    if value is None:
        return "NULL"
    return value


#: what can hold a ';' that does not end a statement, in SQL without backslashes, $ or /* (and ';' itself)
_SPLIT = re.compile(r"'[^']*'|\"[^\"]*\"|--[^\n]*|/\*.*?\*/|;", re.DOTALL)
#: what opens a dollar-quoted string (PostgreSQL's $$ and $tag$)
_DOLLAR_QUOTE = re.compile(r"\$(?:[^\W\d]\w*)?\$")
#: the same, and every other run of characters: the tokens of such SQL, as far as ';' is concerned
_TOKENS = re.compile(r"'[^']*'|\"[^\"]*\"|--[^\n]*|/\*.*?\*/|;|[^\s;'\"/-]+|[/-]", re.DOTALL)


def _simple(sql: str, pattern: re.Pattern[str]) -> list[re.Match[str]] | None:
    """The matches of ``pattern`` in SQL that a regular expression reads exactly: no backslash (an escape
    in some dialects), no $ outside quotes (dollar quoting), no block comment inside a block comment
    (PostgreSQL nests them) or left open. None: leave it to sqlglot's tokenizer."""
    if "\\" in sql:
        return None
    matches = list(pattern.finditer(sql))
    # a $ inside a quoted string is text (a JSON path); outside one, $tag$ or $$ opens a dollar-quoted
    # string, while $name is a parameter (a load's bound file texts)
    if "$" in sql and _DOLLAR_QUOTE.search(_SPLIT.sub("", sql)):
        return None
    if "/*" not in sql:  # no block comment at all (a load's thousands of paths: skip joining them)
        return matches
    covered = "".join(m.group() for m in matches if m.group().startswith(("'", '"', "--", "/*")))
    if sql.count("/*") != covered.count("/*") or any(
        m.group().startswith("/*") and "/*" in m.group()[2:] for m in matches
    ):
        return None
    return matches


def _template_location(exc: BaseException) -> Location | None:
    """The template file and line ``exc`` was raised at, when it came from a file template."""
    from jinja2 import TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return Location(Path(exc.filename), exc.lineno) if exc.filename else None
    found: Location | None = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:  # compiled template code (not yet rewritten by Jinja)
            name, line = template.filename, template.get_corresponding_lineno(lineno)
        elif "__jinja_exception__" in frame.f_globals:  # a frame Jinja rewrote to the template's line
            name, line = frame.f_code.co_filename, lineno
        else:
            continue
        if name and not name.startswith("<"):
            found = Location(Path(name), line)
    return found


@lru_cache(maxsize=65536)
def _quoted_identifier(name: str, dialect: str) -> str:
    """Quoting a name is pure, and a plan quotes the same few names thousands of times (validation cost
    of a large pipeline is mostly this without the cache)."""
    if '"' not in name and name.isprintable():
        # what sqlglot writes for a plain name in every dialect here, without importing it
        return f'"{name}"'
    from sqlglot import exp

    return exp.to_identifier(name, quoted=True).sql(dialect=dialect)
