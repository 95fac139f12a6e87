"""A run's tables as plain text, drawn as rich draws them, for output that is not a terminal.

Piped output (CI logs, files, a scheduler's capture) has no colour and no live updates, so the
summary needs nothing rich does beyond its box drawing; importing and laying out rich costs about
40 ms per run, a tenth of a small pipeline's whole run.  The boxes are rich's default ones (heavy
head, light body), so logs read the same either way; unlike rich at a fixed width, a wide cell is
never cut short with an ellipsis: a log keeps every character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide and full-width characters take two,
    combining marks none."""
    if text.isascii():
        return len(text)
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _cell(text: str, size: int, justify: str) -> str:
    pad = " " * (size - width(text))
    return f" {pad}{text} " if justify == "right" else f" {text}{pad} "


def table(title: str | None, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> str:
    """``columns`` as (header, "left" or "right"); every row has one text per column.  Returns the lines,
    each ending in a line feed, the title (when given) first."""
    sizes = [max([width(name), *(width(row[i]) for row in rows)]) for i, (name, _) in enumerate(columns)]
    justify = [j for _, j in columns]

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (s + 2) for s in sizes) + right + "\n"

    def line(cells: Sequence[str], bar: str) -> str:
        return bar + bar.join(_cell(c, s, j) for c, s, j in zip(cells, sizes, justify, strict=True)) + bar + "\n"

    out = [f"{title}\n"] if title else []
    out.append(rule("┏", "━", "┳", "┓"))
    out.append(line([name for name, _ in columns], "┃"))
    out.append(rule("┡", "━", "╇", "┩"))
    out.extend(line(row, "│") for row in rows)
    out.append(rule("└", "─", "┴", "┘"))
    return "".join(out)
