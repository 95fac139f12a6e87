"""The fourth adapter (tests/targets/fakewh) on a real DuckDB file: a warehouse whose DDL commits on its
own takes the documented non-atomic path, and still never leaves a live table half-built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fakewh import FakeWarehouse
from helpers import MINIMAL, make_project

from engine.api import Pipeline
from engine.errors import CheckFailed
from engine.runner import RunFailed
from engine.targets import register, unregister

TEXT = MINIMAL.replace("local: {type: duckdb, path: warehouse.duckdb}", "local: {type: fakewh, path: fake.db}")


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    register("fakewh", FakeWarehouse)
    yield
    unregister("fakewh")


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {
            t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr)
            for t in sorted(names)
            if not t.startswith("_etl_run")
        }


def test_runs_publish_and_leave_no_shadow_or_backup(tmp_path: Path) -> None:
    file = make_project(tmp_path, TEXT)
    first = Pipeline.load(file).run()
    assert first.committed and not first.incremental
    second = Pipeline.load(file).run()
    assert second.committed and "commits DDL on its own" in second.mode_reason
    tables = _tables(tmp_path / "fake.db")
    assert tables["things"] == [(1, "a", "x"), (2, "b", "y"), (3, "c", "x")]
    assert not [t for t in tables if t.endswith(("__etl_next", "__etl_old"))]


def test_a_failed_check_drops_the_shadows_and_keeps_the_live_tables(tmp_path: Path) -> None:
    file = make_project(tmp_path, TEXT)
    Pipeline.load(file).run()
    with duckdb.connect(str(tmp_path / "fake.db")) as con:  # a user's view over a published table
        con.execute("create view x_things as select * from things where kind = 'x'")
    before = _tables(tmp_path / "fake.db")
    (tmp_path / "data" / "dup.json").write_text('{"id": 1, "name": "again", "kind": "x"}\n')
    with pytest.raises(RunFailed) as failed:
        Pipeline.load(file).run()
    assert isinstance(failed.value.cause, CheckFailed)
    assert _tables(tmp_path / "fake.db") == before
    (tmp_path / "data" / "dup.json").unlink()
    (tmp_path / "data" / "more.json").write_text('{"id": 4, "name": "d", "kind": "x"}\n')
    assert Pipeline.load(file).run().committed
    with duckdb.connect(str(tmp_path / "fake.db"), read_only=True) as con:
        assert con.execute("select count(*) from x_things").fetchone() == (3,)
