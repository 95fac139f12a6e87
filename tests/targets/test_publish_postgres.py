"""Publish.RENAME_BACKUP on a real PostgreSQL server: a user's view over a published table and the
grants the YAML declares survive every run, and a failed run changes none of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import MINIMAL, make_project, with_pg

from engine.api import Pipeline
from engine.errors import CheckFailed
from engine.runner import RunFailed

pytestmark = pytest.mark.postgres


def _sql(params: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(**params, autocommit=True) as con:  # type: ignore[arg-type]
        cur = con.execute(sql)
        return cur.fetchall() if cur.description else []


def test_views_and_grants_survive_publish_and_failed_runs(tmp_path: Path, pg_database: dict[str, str]) -> None:
    role = f"reader_{pg_database['dbname'][-10:]}"
    _sql(pg_database, f'CREATE ROLE "{role}"')
    try:
        text = with_pg(MINIMAL) + f"grants:\n  select: [{role}]\n"
        file = make_project(tmp_path, text)
        Pipeline.load(file).run("pg")
        _sql(pg_database, "CREATE VIEW x_things AS SELECT id, name FROM things WHERE kind = 'x'")
        (tmp_path / "data" / "more.json").write_text('{"id": 4, "name": "d", "kind": "x"}\n')
        second = Pipeline.load(file).run("pg", full_refresh=True)
        assert second.committed and not second.notes
        # the view was rebound to the new table: it sees the new row, and the old table is gone
        assert _sql(pg_database, "SELECT count(*) FROM x_things") == [(3,)]
        assert _sql(pg_database, "SELECT count(*) FROM pg_class WHERE relname LIKE '%%__etl_old'") == [(0,)]
        assert _sql(pg_database, f"SELECT has_table_privilege('{role}', 'things', 'SELECT')") == [(True,)]
        before = _sql(pg_database, "SELECT * FROM x_things ORDER BY id")
        (tmp_path / "data" / "dup.json").write_text('{"id": 1, "name": "again", "kind": "x"}\n')
        with pytest.raises(RunFailed) as failed:
            Pipeline.load(file).run("pg", full_refresh=True)
        assert isinstance(failed.value.cause, CheckFailed)
        assert _sql(pg_database, "SELECT * FROM x_things ORDER BY id") == before
        assert _sql(pg_database, f"SELECT has_table_privilege('{role}', 'things', 'SELECT')") == [(True,)]
        assert _sql(pg_database, "SELECT count(*) FROM pg_class WHERE relname LIKE '%%__etl_%%'") == [(0,)]
    finally:
        _sql(pg_database, f'DROP OWNED BY "{role}"')
        _sql(pg_database, f'DROP ROLE "{role}"')
