"""Where in the user's own SQL a warehouse error happened.

The statement the warehouse runs is not the one the user wrote: a star table's SELECT is
wrapped in an INSERT, pointed at the shadow tables and re-printed by sqlglot, so the
warehouse's "LINE 16" is a line of that statement.  This module finds the offending word
(under the warehouse's caret, or the name its message quotes) and looks for the same
occurrence of it in the user's .sql file or YAML block, so the error names a line the
user can open.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import Location, TargetError

if TYPE_CHECKING:
    from engine.config import Pipeline
    from engine.plan import Step

_LINE = re.compile(r"^(LINE (\d+): )(.*)$", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
#: names warehouses quote in messages without a position
_NAMED = (
    re.compile(r'with name "?([A-Za-z_]\w*)"? does not exist', re.IGNORECASE),
    re.compile(r'function "?([A-Za-z_]\w*)"?\(', re.IGNORECASE),
    re.compile(r'column "?([A-Za-z_][\w.]*)"? (?:does not exist|not found)', re.IGNORECASE),
    re.compile(r'(?:column|table) (?:with name )?"([A-Za-z_]\w*)"', re.IGNORECASE),
)


def locate(error: TargetError, pipeline: Pipeline, step: Step) -> TargetError:
    """``error`` with ``origin`` set to the user's file and line, where the step runs user SQL."""
    source = _user_sql(pipeline, step)
    if source is None or error.origin is not None:
        return error
    lines, file, first = source
    found = _offending(error)
    if found is not None:
        word, nth = found
        hits = [i for i, text in enumerate(lines) for m in _words(text) if m.lower() == word.lower()]
        if hits:
            index = hits[min(nth, len(hits)) - 1]
            return replace(error, origin=Location(file, first + index), origin_line=lines[index].strip())
    return replace(error, origin=Location(file, first if first > 1 else None))


def _words(text: str) -> list[str]:
    return _WORD.findall(re.sub(r"/\*.*?\*/", "", re.sub(r"--.*$", "", text)))


def _user_sql(pipeline: Pipeline, step: Step) -> tuple[list[str], Path | None, int] | None:
    """The user's text for the step (lines), the file it is in, and the file line of its first line."""
    if step.kind == "transform" and step.table in pipeline.star:
        star = pipeline.star[step.table]
        if star.sql_file is not None:
            return star.sql.splitlines(), star.sql_file, 1
        where = pipeline.document.locate(("star", step.table, "sql"))
    elif step.check is not None and (step.check.query or step.check.equals_sql):
        where = step.check.location
    else:
        return None
    if where.file is None or where.line is None:
        return None
    try:
        text = where.file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return text[where.line - 1 :], where.file, where.line


def _offending(error: TargetError) -> tuple[str, int] | None:
    """The word the warehouse blames, and which occurrence of it in the statement (1-based)."""
    message = error.message
    match = _LINE.search(message)
    if match and error.sql:
        after = message[match.end() :].lstrip("\n").splitlines()
        caret = after[0].find("^") if after and after[0].strip().startswith("^") else -1
        text = match.group(3)
        column = caret - len(match.group(1))
        word = None
        if 0 <= column < len(text):
            for m in _WORD.finditer(text):
                if m.start() <= column < m.end() or m.start() >= column:
                    word = m.group()
                    break
        if word is None:
            named = _named(message)
            word = named or next(iter(_WORD.findall(text)), None)
        if word is None:
            return None
        statement = error.sql.splitlines()
        line = int(match.group(2))
        # the engine's own INSERT line is not the user's text
        skip = 1 if statement and statement[0].lstrip().upper().startswith(("INSERT ", "CREATE ")) else 0
        before = [w for t in statement[skip : line - 1] for w in _words(t)]
        nth = sum(1 for w in before if w.lower() == word.lower()) + 1
        return word, nth
    named = _named(message)
    if named is None:
        return None
    return named.split(".")[-1], 1


def _named(message: str) -> str | None:
    for pattern in _NAMED:
        match = pattern.search(message)
        if match:
            return match.group(1)
    return None
