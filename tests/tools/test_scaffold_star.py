"""`etl-engine init` on camelCase JSON, through the real CLI, on DuckDB and PostgreSQL (issue 15, trap 6).

The drafted staging columns are snake_case and a JSONPaths file keeps the files' camelCase keys;
the star sketch, uncommented as the file says, validates and builds on both targets; and
`validate -t postgres` stops a camelCase name that PostgreSQL would fold.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner, Result

from engine.cli import app

POSTGRES_TARGET = """\
  postgres:
    type: postgres
    host: "${PGHOST:-127.0.0.1}"
    port: "${PGPORT:-5432}"
    dbname: "${PGDATABASE}"
    user: "${PGUSER:-postgres}"
    password: "${PGPASSWORD:-}"
"""


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _shop(root: Path) -> dict[str, int]:
    """Orders (the most rows, several *_id keys), customers and products (one file each), camelCase keys."""
    (root / "orders").mkdir(parents=True)
    (root / "customers").mkdir()
    (root / "products").mkdir()
    customers = [{"customerId": i, "fullName": f"C{i}", "homeCity": ["Madrid", "Oslo"][i % 2]} for i in range(1, 6)]
    products = [{"productId": i, "productName": f"P{i}", "unitPrice": 1.5 * i} for i in range(1, 4)]
    orders = [
        {
            "orderId": n,
            "customerId": 1 + n % 5,
            "productId": 1 + n % 3,
            "orderDate": f"2024-01-{1 + n % 28:02d}",
            "quantity": n % 4 + 1,
        }
        for n in range(1, 61)
    ]
    for day in range(3):
        part = orders[day * 20 : (day + 1) * 20]
        (root / "orders" / f"2024-01-0{day + 1}.json").write_text("".join(json.dumps(o) + "\n" for o in part))
    (root / "customers" / "customers.json").write_text("".join(json.dumps(c) + "\n" for c in customers))
    (root / "products" / "products.json").write_text("".join(json.dumps(p) + "\n" for p in products))
    return {
        "orders": len(orders),
        "customers": len(customers),
        "products": len(products),
        "days": len({o["orderDate"] for o in orders}),
    }


def _uncommented(file: Path, extra_target: str = "") -> Path:
    lines = [
        re.sub(r"^# ((?:star|checks):$|  .*)$", r"\1", line) for line in file.read_text(encoding="utf-8").splitlines()
    ]
    text = "\n".join(lines) + "\n"
    if extra_target:
        text = text.replace("\nsources:\n", "\n" + extra_target + "\nsources:\n", 1)
    out = file.with_name("full.yaml")
    out.write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def drafted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, int]]:
    monkeypatch.chdir(tmp_path)
    counts = _shop(tmp_path / "data")
    done = _cli("init", "data", "--output", "proj/pipeline.yaml")
    assert done.exit_code == 0, done.output
    return tmp_path / "proj" / "pipeline.yaml", counts


def test_camel_case_keys_become_snake_case_columns_and_the_sketch_is_a_star(
    drafted: tuple[Path, dict[str, int]],
) -> None:
    pipeline, counts = drafted
    doc = yaml.safe_load(pipeline.read_text(encoding="utf-8"))
    assert list(doc["staging"]["staging_orders"]["columns"]) == [
        "order_id",
        "customer_id",
        "product_id",
        "order_date",
        "quantity",
    ]
    mapping = json.loads((pipeline.parent / doc["sources"]["orders"]["jsonpaths"]).read_text())["jsonpaths"]
    assert mapping == ["$['orderId']", "$['customerId']", "$['productId']", "$['orderDate']", "$['quantity']"]
    full = _uncommented(pipeline)
    star = yaml.safe_load(full.read_text(encoding="utf-8"))["star"]
    assert set(star) == {"fact_orders", "dim_customer", "dim_product", "dim_date"}
    fact = star["fact_orders"]
    # every order file was sampled and order_id was unique in it: the fact keeps its own key
    assert fact["primary_key"] == "order_id"
    assert fact["foreign_keys"] == {
        "customer_id": "dim_customer",
        "product_id": "dim_product",
        "order_date": "dim_date",
    }
    assert star["dim_customer"]["primary_key"] == "customer_id"

    assert _cli("validate", str(full)).exit_code == 0
    run = _cli("run", str(full))
    assert run.exit_code == 0, run.output
    with duckdb.connect(str(pipeline.parent / "warehouse.duckdb"), read_only=True) as con:
        got = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]  # type: ignore[index]
            for t in ("fact_orders", "dim_customer", "dim_product", "dim_date")
        }
        names = con.execute("select full_name from dim_customer order by customer_id").fetchall()
    assert got == {
        "fact_orders": counts["orders"],
        "dim_customer": counts["customers"],
        "dim_product": counts["products"],
        "dim_date": counts["days"],
    }
    assert names[0] == ("C1",)


@pytest.mark.postgres
def test_the_drafted_star_runs_on_postgres(drafted: tuple[Path, dict[str, int]], pg_database: dict[str, str]) -> None:
    pipeline, counts = drafted
    full = _uncommented(pipeline, POSTGRES_TARGET)
    assert _cli("validate", str(full), "--target", "postgres").exit_code == 0
    run = _cli("run", str(full), "--target", "postgres")
    assert run.exit_code == 0, run.output
    import psycopg

    with psycopg.connect(**pg_database) as con:
        got = con.execute(
            "select (select count(*) from fact_orders), (select count(*) from dim_date), "
            "(select count(distinct customer_id) from fact_orders)"
        ).fetchone()
    assert got == (counts["orders"], counts["days"], counts["customers"])


@pytest.mark.postgres
def test_validate_stops_a_name_postgres_would_fold(
    drafted: tuple[Path, dict[str, int]], pg_database: dict[str, str]
) -> None:
    """What init did before: camelCase columns, used unquoted in SQL; DuckDB finds them, PostgreSQL does not."""
    pipeline, _ = drafted
    text = _uncommented(pipeline, POSTGRES_TARGET).read_text(encoding="utf-8")
    text = text.replace("customer_id", "customerId")
    camel = pipeline.with_name("camel.yaml")
    camel.write_text(text, encoding="utf-8")
    assert _cli("validate", str(camel)).exit_code == 0  # DuckDB matches any case
    checked = _cli("validate", str(camel), "--target", "postgres")
    assert checked.exit_code == 2
    assert (
        "column customerId is unquoted, so postgres reads it as customerid, but it is declared as "
        '"customerId"' in checked.stderr
    )
    assert re.search(r"camel\.yaml:\d+:\d+: star\.\w+\.sql", checked.stderr)
    assert "hint: name the column in lower snake_case in the YAML (e.g. customer_id)" in checked.stderr
    # the run stops the same way, before any SQL reaches the database
    run = _cli("run", str(camel), "--target", "postgres")
    assert run.exit_code == 2 and "reads it as customerid" in run.stderr
