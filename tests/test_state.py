"""The choice of a full, partial or incremental run, from what the warehouse remembers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fakewh import FakeWarehouse
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.state import WarehouseState, decide
from engine.targets import register, unregister


def _state(planned: object, **changes: object) -> WarehouseState:
    plan = planned.plan  # type: ignore[attr-defined]
    tables = set(plan.definitions)
    return replace(WarehouseState(tables | {"_etl_tables", "_etl_files"}, dict(plan.definitions)), **changes)


def test_incremental_only_when_every_table_is_there_as_defined(tmp_path: Path) -> None:
    planned = build_plan(load_pipeline(make_project(tmp_path)))
    assert decide(planned, _state(planned), False).incremental
    assert decide(planned, _state(planned), True).reason == "--full-refresh"
    assert decide(planned, _state(planned, ddl={}), False).reason == "first run"
    missing = _state(planned)
    missing.existing.discard("kinds")
    # a missing dimension is rebuilt with what reads it; the rest is kept
    gone = decide(planned, missing, False)
    assert gone.reason.startswith("kinds missing from the warehouse") and gone.rebuild == {"kinds"}
    changed = _state(planned)
    changed.ddl["things"] = "something else"
    redo = decide(planned, changed, False)
    assert redo.mode == "partial" and redo.rebuild == {"things"} and "definition changed" in redo.reason


def test_a_warehouse_without_transactional_ddl_is_always_full(tmp_path: Path) -> None:
    register("fakewh", FakeWarehouse)
    try:
        text = MINIMAL.replace("{type: duckdb, path: warehouse.duckdb}", "{type: fakewh, path: f.db}")
        planned = build_plan(load_pipeline(make_project(tmp_path, text)))
        mode = decide(planned, _state(planned), False)
        assert not mode.incremental and "commits DDL on its own" in mode.reason
    finally:
        unregister("fakewh")
