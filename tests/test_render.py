"""Golden files of the rendered Sparkify SQL: every statement, in run order, per dialect.

Regenerate with ``pytest tests/test_render.py --update-golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from conftest import ROOT

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.variables import parse_cli_vars

GOLDEN = Path(__file__).parent / "golden"


def _rendered(target: str | None = None) -> tuple[str, str]:
    # a fixed, relative-looking data_root keeps absolute paths of this machine out of the golden file
    pipeline = load_pipeline(ROOT / "pipeline.yaml", parse_cli_vars(["data_root=examples/sparkify/data"], ROOT))
    plan = build_plan(pipeline, target)
    text = "".join(f"-- {step}\n{sql};\n\n" for step, sql in plan.statements())
    return text.replace(str(ROOT), "<project>"), plan.adapter.sqlglot_dialect


@pytest.mark.parametrize("dialect", ["duckdb"])
def test_golden_sql(dialect: str, update_golden: bool) -> None:
    text, _ = _rendered()
    golden = GOLDEN / dialect / "sparkify.sql"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), "run pytest --update-golden to create the golden file"
    assert text == golden.read_text(encoding="utf-8")


def test_every_statement_parses_in_its_dialect() -> None:
    text, dialect = _rendered()
    statements = [s for s in text.split(";\n\n") if s.strip()]
    for statement in statements:
        sql = "\n".join(line for line in statement.splitlines() if not line.startswith("-- "))
        sqlglot.parse_one(sql, read=dialect)


def test_identifiers_are_quoted_so_reserved_words_work() -> None:
    text, _ = _rendered()
    assert 'CREATE TABLE "time"' in text
    assert 'INSERT INTO "time"' in text


def test_user_templates_override_shipped_ones(tmp_path: Path) -> None:
    from helpers import MINIMAL, make_project

    (tmp_path / "my_templates").mkdir()
    (tmp_path / "my_templates" / "drop_table.sql").write_text("DROP TABLE IF EXISTS {{ table | ident }} CASCADE")
    file = make_project(tmp_path, MINIMAL + "templates: my_templates\n")
    plan = build_plan(load_pipeline(file))
    assert 'DROP TABLE IF EXISTS "things" CASCADE' in [sql for _, sql in plan.statements()]
