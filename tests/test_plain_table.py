"""The plain summary table draws what rich draws, for output that is not a terminal (engine/plain_table.py)."""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.plain_table import table, width

ALPHABET = ["a", "Z", "0", " ", ":", "_", "é", "表", "\uff21", "[", "]", "e\u0301"]


def _rich(title: str | None, columns: list[tuple[str, str]], rows: list[list[str]]) -> str:
    out = io.StringIO()
    console = Console(file=out, width=1000, highlight=False, soft_wrap=True, color_system=None, emoji=False)
    t = Table(title=escape(title) if title else None, title_justify="left")
    for name, justify in columns:
        t.add_column(escape(name), justify=justify)  # type: ignore[arg-type]
    for row in rows:
        t.add_row(*(escape(c) for c in row))
    console.print(t)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def _text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, most))).strip()


@pytest.mark.parametrize("seed", range(40))
def test_a_random_table_is_drawn_as_rich_draws_it(seed: int) -> None:
    rng = random.Random(seed)
    columns = [(_text(rng, 8) or "h", rng.choice(["left", "right"])) for _ in range(rng.randint(1, 5))]
    rows = [[_text(rng, 30) for _ in columns] for _ in range(rng.randint(0, 6))]
    title = rng.choice([None, "sparkify: done (run 1)", "checks not passed"])
    mine = "\n".join(line.rstrip() for line in table(title, columns, rows).splitlines()) + "\n"
    assert mine == _rich(title, columns, rows)


def test_a_wide_cell_is_never_cut() -> None:
    """rich at a fixed width ends a long cell with an ellipsis; a log keeps every character."""
    text = table(None, [("step", "left")], [["x" * 400]])
    assert "x" * 400 in text and "…" not in text


def test_width_counts_wide_characters_twice_and_combining_marks_not_at_all() -> None:
    assert width("abc") == 3
    assert width("表\uff21") == 4
    assert width("e\u0301") == 1
