"""Shadow and backup names, and user SELECTs pointed at the shadows."""

from __future__ import annotations

import sqlglot

from engine.shadow import backup_name, point_at, shadow_name


def test_names() -> None:
    assert shadow_name("time") == "time__etl_next" and backup_name("time") == "time__etl_old"


def test_point_at_renames_tables_but_keeps_aliases_ctes_and_qualified_names() -> None:
    tree = sqlglot.parse_one(
        "with users as (select 1 as id) select orders.id, u.id from orders "
        "join users u on u.id = orders.id join other.orders o on o.id = orders.id",
        read="duckdb",
    )
    sql = point_at(tree, {"orders": "orders__etl_next", "users": "users__etl_next"}, "duckdb")
    assert '"orders__etl_next" AS orders' in sql  # the alias keeps orders.id resolving
    assert "users__etl_next" not in sql  # a CTE of that name shadows the table
    assert "other.orders" in sql  # a qualified reference is someone else's table
    assert "orders__etl_next" not in tree.sql()  # the parsed tree is not changed


def test_quoted_names_match_exactly() -> None:
    tree = sqlglot.parse_one('select * from "Things" join things t on true', read="postgres")
    sql = point_at(tree, {"things": "things__etl_next"}, "postgres")
    assert '"Things"' in sql and '"things__etl_next" AS t' in sql
