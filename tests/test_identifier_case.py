"""validate catches a name PostgreSQL would fold away from its declared spelling (no database needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from engine.cli import app

PIPELINE = """\
version: 1
name: shop
default_target: local
targets:
  local: {type: duckdb, path: w.duckdb}
  postgres: {type: postgres, dbname: shop}
sources:
  orders: {path: data, format: csv}
staging:
  staging_orders:
    source: orders
    columns: {orderId: bigint, amount: double}
star:
  fact_orders:
    kind: fact
    primary_key: order_id
    columns: {order_id: bigint, amount: double}
    sql: |
      select orderId as order_id,
             amount
      from staging_orders
"""


def test_unquoted_camel_case_is_an_error_on_postgres_only(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text("order_id,amount\n1,2.5\n", encoding="utf-8")
    file = tmp_path / "pipeline.yaml"
    file.write_text(PIPELINE, encoding="utf-8")
    duck = CliRunner().invoke(app, ["validate", str(file)])
    assert duck.exit_code == 0, duck.output  # DuckDB matches names in any case
    result = CliRunner().invoke(app, ["validate", str(file), "--target", "postgres"])
    assert result.exit_code == 2
    # line 19 is `select orderId ...`: the block starts on the line after `sql: |`
    assert result.stderr.startswith(
        f"error: {file}:19:8: star.fact_orders.sql: column orderId is unquoted, so "
        'postgres reads it as orderid, but it is declared as "orderId"\n'
    )
    assert "hint: name the column in lower snake_case in the YAML (e.g. order_id)" in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error")]) == 1


def test_a_case_issue_is_reported_again_on_the_next_validate(tmp_path: Path) -> None:
    """A SELECT is stored as checked only after the case check passed: a second validate (answered from
    the SQL cache) must still refuse it."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text("order_id,amount\n1,2.5\n", encoding="utf-8")
    file = tmp_path / "pipeline.yaml"
    file.write_text(PIPELINE, encoding="utf-8")
    for _ in range(2):
        result = CliRunner().invoke(app, ["validate", str(file), "--target", "postgres"])
        assert result.exit_code == 2, result.output
        assert "column orderId is unquoted" in result.stderr
        for store in tmp_path.rglob(".etl-engine"):
            shutil.rmtree(store)
