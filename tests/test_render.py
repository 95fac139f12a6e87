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
from engine.settings import Settings
from engine.variables import parse_cli_vars

GOLDEN = Path(__file__).parent / "golden"
TARGETS = {"duckdb": "local", "postgres": "postgres", "redshift": "redshift"}
#: fixed settings, so the golden files do not depend on this machine's environment
SETTINGS = {
    "REDSHIFT_HOST": "example.abc123.us-west-2.redshift.amazonaws.com",
    "REDSHIFT_DB": "dwh",
    "REDSHIFT_USER": "dwhuser",
    "REDSHIFT_PASSWORD": "not-in-any-sql",
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::123456789012:role/dwhRole",
}


def _rendered(dialect: str = "duckdb") -> tuple[str, str]:
    # a fixed, relative-looking data_root keeps absolute paths of this machine out of the golden file;
    # Redshift reads the original project's bucket
    root = "s3://udacity-dend" if dialect == "redshift" else "examples/sparkify/data"
    pipeline = load_pipeline(ROOT / "pipeline.yaml", parse_cli_vars([f"data_root={root}"], ROOT))
    plan = build_plan(pipeline, TARGETS[dialect], Settings(env=SETTINGS))
    assert plan.adapter.sqlglot_dialect == dialect
    text = "".join(f"-- {step}\n{sql};\n\n" for step, sql in plan.statements())
    return text.replace(str(ROOT), "<project>"), plan.adapter.sqlglot_dialect


@pytest.mark.parametrize("dialect", list(TARGETS))
def test_golden_sql(dialect: str, update_golden: bool) -> None:
    text, _ = _rendered(dialect)
    assert "not-in-any-sql" not in text
    golden = GOLDEN / dialect / "sparkify.sql"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), "run pytest --update-golden to create the golden file"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("dialect", list(TARGETS))
def test_every_statement_parses_in_its_dialect(dialect: str) -> None:
    """Parsed for real: sqlglot's fallback to an opaque Command would hide a syntax error."""
    from sqlglot import exp

    text, _ = _rendered(dialect)
    statements = [s for s in text.split(";\n\n") if s.strip()]
    assert len(statements) > 40
    for statement in statements:
        sql = "\n".join(line for line in statement.splitlines() if not line.startswith("-- "))
        parsed = sqlglot.parse_one(sql, read=dialect)
        if isinstance(parsed, exp.Command) and sql.split()[0].upper() in SQLGLOT_UNMODELLED:
            continue
        assert not isinstance(parsed, exp.Command), sql


#: statements sqlglot keeps as an opaque Command, checked by hand against the warehouse's reference:
#: LOCK (https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html) and RESET
#: (https://docs.aws.amazon.com/redshift/latest/dg/r_RESET.html), both one fixed form here
SQLGLOT_UNMODELLED = {"LOCK", "RESET"}


@pytest.mark.parametrize("dialect", list(TARGETS))
def test_identifiers_are_quoted_so_reserved_words_work(dialect: str) -> None:
    text, _ = _rendered(dialect)
    assert 'CREATE TABLE "time__etl_next"' in text and 'INSERT INTO "time__etl_next"' in text
    assert 'DROP TABLE IF EXISTS "time";' in text or 'ALTER TABLE "time" RENAME TO "time__etl_old";' in text
    assert 'ALTER TABLE "time__etl_next" RENAME TO "time";' in text


def test_user_templates_override_shipped_ones(tmp_path: Path) -> None:
    from helpers import MINIMAL, make_project

    (tmp_path / "my_templates").mkdir()
    (tmp_path / "my_templates" / "drop_table.sql").write_text("DROP TABLE IF EXISTS {{ table | ident }} CASCADE")
    file = make_project(tmp_path, MINIMAL + "templates: my_templates\n")
    plan = build_plan(load_pipeline(file))
    assert 'DROP TABLE IF EXISTS "things" CASCADE' in [sql for _, sql in plan.statements()]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift"])
def test_the_literals_filter_is_the_literal_of_each_value_joined(dialect: str) -> None:
    """File lists render through ``| literals``: the same text a loop of ``| literal`` gave, each path one
    literal whatever it holds (a quote, a backslash, a control character, a non-ASCII letter)."""
    import duckdb

    from engine.render import SqlRenderer

    r = SqlRenderer(dialect, dialect)
    values = ["/data/a.json", "/data/it's.json", "C:\\data\\b.json", "/data/tab\there.json", "/données/ü.json", ""]
    assert r.literals(values) == ", ".join(r.literal(v) for v in values)
    if dialect == "duckdb":  # and DuckDB reads them back as they were
        assert duckdb.connect().execute(f"SELECT [{r.literals(values)}]").fetchall() == [(values,)]
