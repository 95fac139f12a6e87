from __future__ import annotations

import pytest

from engine.errors import GraphError
from engine.graph import parse_select, table_order, topological_order


def test_ctes_are_not_tables() -> None:
    parsed = parse_select("with x as (select * from a) select * from x join b using (id)", "duckdb")
    assert parsed.tables == {"a", "b"}


def test_order_is_stable_and_respects_dependencies() -> None:
    nodes = ["c", "a", "b"]
    rank = {"c": (0, 0), "a": (0, 1), "b": (0, 2)}
    assert topological_order(nodes, {"c": ["b"]}, rank) == ["a", "b", "c"]


def test_cycle_names_its_members() -> None:
    with pytest.raises(GraphError, match="a -> b -> c -> a"):
        table_order(["a", "b", "c"], {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"})}, {})
