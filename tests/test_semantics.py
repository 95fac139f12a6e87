from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.errors import ConfigError, GraphError
from engine.plan import build_plan


def _plan_error(tmp_path: Path, text: str) -> ConfigError:
    file = make_project(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        build_plan(load_pipeline(file))
    return info.value


def test_undefined_source(tmp_path: Path) -> None:
    err = _plan_error(tmp_path, MINIMAL.replace("source: things", "source: thinsg"))
    assert err.issues[0].message == "undefined source 'thinsg'"
    assert err.issues[0].hint == "did you mean 'things'?"
    assert err.issues[0].location.yaml_path == "staging.staging_things.source"


def test_undefined_table_in_sql_has_line(tmp_path: Path) -> None:
    err = _plan_error(
        tmp_path,
        MINIMAL.replace("select id, name, kind from staging_things", "select id, name, kind from staging_thing"),
    )
    issue = err.issues[0]
    assert issue.message == "SQL reads undefined table 'staging_thing'"
    assert issue.hint == "did you mean 'staging_things'?"
    assert (issue.location.line, issue.location.column) == (21, 37)


def test_unknown_column_in_sql(tmp_path: Path) -> None:
    err = _plan_error(tmp_path, MINIMAL.replace("select id, name, kind from", "select id, nam, kind from"))
    assert "nam" in err.issues[0].message
    assert err.issues[0].hint == "did you mean 'name'?"


def test_select_must_match_declared_columns(tmp_path: Path) -> None:
    err = _plan_error(tmp_path, MINIMAL.replace("select id, name, kind from", "select id, kind, name from"))
    assert "column 2 of the SELECT is 'kind'" in err.issues[0].message


def test_unknown_key_columns(tmp_path: Path) -> None:
    text = MINIMAL.replace("    primary_key: id", "    primary_key: idd").replace(
        "foreign_keys: {kind: kinds}", "foreign_keys: {kind: kindz}"
    )
    messages = [i.message for i in _plan_error(tmp_path, text).issues]
    assert "table 'things' has no column 'idd'" in messages
    assert any("names 'kindz', which is not a star table" in m for m in messages)


def test_cycle_is_named(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "select distinct kind as kind from staging_things where kind is not null",
        "select distinct kind as kind from things",
    )
    text = text.replace(
        "select id, name, kind from staging_things",
        "select t.id, t.name, t.kind from staging_things t join kinds k on k.kind = t.kind",
    )
    err = _plan_error(tmp_path, text)
    assert isinstance(err, GraphError)
    assert (
        "dependency cycle: kinds -> things -> kinds" in err.issues[0].message
        or "dependency cycle: things -> kinds -> things" in err.issues[0].message
    )


def test_sql_parse_error_points_into_the_file(tmp_path: Path) -> None:
    (tmp_path / "t.sql").write_text("select id,\n  name,\n  kind\nfrom staging_things where (id = 1\n")
    err = _plan_error(tmp_path, MINIMAL.replace("sql: select id, name, kind from staging_things", "sql: t.sql"))
    issue = err.issues[0]
    assert issue.message.startswith("SQL does not parse")
    assert issue.location.file == tmp_path / "t.sql"
    assert issue.location.line == 4


def test_dependencies_come_from_the_sql(tmp_path: Path) -> None:
    plan = build_plan(load_pipeline(make_project(tmp_path)))
    ids = [s.id for s in plan.steps]
    transform = next(s for s in plan.steps if s.id == "transform:things")
    assert set(transform.depends_on) == {"create:things", "load:staging_things"}
    assert ids.index("load:staging_things") < ids.index("transform:kinds") < ids.index("check:foreign_key_things_kind")
    assert all(ids.index(i) < ids.index("load:staging_things") for i in ids if i.startswith("create:"))
