"""The adapter contract, checked over every registered adapter (the engine's own and a fourth one that
lives in tests/targets/fakewh), driven against a recording DB-API connection.

Each adapter declares its publish and lock strategies, error lookup, capabilities and options; these
tests hold the recorded statements of a run to what it declares, so a new warehouse gets the same
scrutiny as the shipped ones without a line of its own here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from fakewh import FakeWarehouse
from helpers import MINIMAL, make_project
from recording import RecordingConnection

from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.settings import Settings
from engine.targets import adapter_class, available, register, unregister
from engine.targets.base import Adapter
from engine.targets.contract import Capabilities, ErrorLookup, Lock, Option, Publish

register("fakewh", FakeWarehouse)
TYPES = available()
TABLES = ["staging_things", "kinds", "things"]
#: what each option kind stands for in a target written by these tests
SAMPLE = {"str": "x", "int": "5", "path": "wh.db", "bool": "true", "secret": "${SECRET_VALUE}"}


@pytest.fixture(autouse=True, scope="module")
def _fourth_adapter() -> Iterator[None]:
    register("fakewh", FakeWarehouse)
    yield
    unregister("fakewh")


def test_the_registry_knows_the_fourth_adapter_without_an_engine_edit() -> None:
    assert {"duckdb", "postgres", "redshift", "fakewh"} <= set(TYPES)
    assert adapter_class("fakewh") is FakeWarehouse


@pytest.mark.parametrize("kind", TYPES)
def test_declares_the_whole_contract(kind: str) -> None:
    cls = adapter_class(kind)
    assert issubclass(cls, Adapter) and cls.name == kind
    sqlglot.Dialect.get_or_raise(cls.sqlglot_dialect)
    assert isinstance(cls.capabilities, Capabilities)
    assert isinstance(cls.publish, Publish) and isinstance(cls.lock, Lock)
    assert isinstance(cls.error_lookup, ErrorLookup)
    assert cls.options, "an adapter lists the options it accepts"
    for key, option in cls.options.items():
        assert isinstance(option, Option) and option.help and option.kind in SAMPLE, key


def _project(tmp: Path, kind: str) -> Path:
    cls = adapter_class(kind)
    # the options an adapter needs may depend on how it connects: give the usual ones it has
    usual = ("path", "host", "database", "user", "password", "cluster_identifier", "db_user", "iam_role")
    options = {k: SAMPLE[o.kind] for k, o in cls.options.items() if o.required or k in usual}
    target = "  t:\n    type: " + kind + "\n" + "".join(f'    {k}: "{v}"\n' for k, v in options.items())
    text = MINIMAL.replace("targets:\n", "targets:\n" + target, 1).replace("default_target", "#")
    text = "default_target: t\n" + text
    if cls.capabilities.copy_from_s3:
        text = text.replace("path: data, format: json", "path: s3://bucket/things/, format: json")
    return make_project(tmp, text)


@pytest.mark.parametrize("kind", TYPES)
def test_a_misspelled_option_is_refused_with_did_you_mean(kind: str, tmp_path: Path) -> None:
    from engine.redact import SECRET_NAME

    options = adapter_class(kind).options.items()
    option = sorted(k for k, o in options if o.kind != "secret" and not SECRET_NAME.search(k))[0]
    typo = option[:-1] + ("x" if option[-1] != "x" else "y")
    file = _project(tmp_path, kind)
    file.write_text(file.read_text().replace("    type: " + kind + "\n", f"    type: {kind}\n    {typo}: v\n"))
    with pytest.raises(ConfigError) as err:
        build_plan(load_pipeline(file), settings=Settings(env={"SECRET_VALUE": "s"}))
    issue = err.value.issues[0]
    assert f"has no option '{typo}'" in issue.message and issue.location.line
    assert option in (issue.hint or "")


def _recorded_run(tmp: Path, kind: str, fail: str | None = None) -> tuple[RecordingConnection, Any, Any]:
    conn = RecordingConnection()
    # a second run: the warehouse holds every table already, so publish has live tables to replace
    conn.on(r"information_schema\.tables", rows=[(t,) for t in TABLES])
    conn.on(r"pg_get_viewdef|AS view_name", rows=[], columns=("table_name", "view_name", "definition"))
    conn.on(r"try_advisory", rows=[(True,)])  # a lock that answers "taken"
    if fail:
        conn.on(fail, error="injected failure")
    planned = build_plan(
        load_pipeline(_project(tmp, kind)), settings=Settings(env={"SECRET_VALUE": "s"}), connect=lambda: conn
    )
    failure = None
    try:
        run_plan(planned)
    except RunFailed as failed:
        failure = failed
    return conn, planned, failure


def _run_part(conn: RecordingConnection, planned: Any) -> list[str]:
    """The statements of the run itself: after the bookkeeping tables' own transaction, if any."""
    executed = conn.executed
    if planned.plan.transactional:
        return executed[executed.index(planned.plan.commit) + 1 :]
    return executed


@pytest.mark.parametrize("kind", TYPES)
def test_a_run_follows_the_declared_transaction_and_lock(kind: str, tmp_path: Path) -> None:
    conn, planned, failure = _recorded_run(tmp_path, kind)
    assert failure is None, failure
    cls, run = planned.adapter, _run_part(conn, planned)
    if cls.capabilities.transactional_ddl:
        begin = run.index(planned.plan.begin)
        assert run.count(planned.plan.begin) == 1 and planned.plan.commit in run[begin:]
        lock = planned.context.lock_statements(0.0)
        if cls.lock is not Lock.EXCLUSIVE_CONNECTION:
            assert run[begin + 1] == lock[0], "the lock is the first statement of the transaction"
        else:
            assert lock == ()
    else:
        assert not any(s.split()[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK") for s in conn.executed)


@pytest.mark.parametrize("kind", TYPES)
def test_publish_comes_after_every_check_and_follows_the_declared_strategy(kind: str, tmp_path: Path) -> None:
    conn, planned, _ = _recorded_run(tmp_path, kind)
    run = conn.executed
    check_sql = {sql for step in planned.plan.steps if step.kind == "check" for sql in step.statements}
    checks = [i for i, s in enumerate(run) if s in check_sql]
    for t in TABLES:
        new_in = run.index(f'ALTER TABLE "{t}__etl_next" RENAME TO "{t}"')
        assert new_in > max(checks)
        if planned.adapter.publish is Publish.SWAP:
            assert run.index(f'DROP TABLE IF EXISTS "{t}"') < new_in
        else:
            assert f'DROP TABLE IF EXISTS "{t}"' not in run  # never a DROP of a live table
            assert run.index(f'ALTER TABLE "{t}" RENAME TO "{t}__etl_old"') < new_in
            assert run.index(f'DROP TABLE IF EXISTS "{t}__etl_old"', new_in) > new_in
    if planned.adapter.publish is Publish.RENAME_BACKUP and planned.plan.transactional:
        last_commit = len(run) - 1 - run[::-1].index(planned.plan.commit)
        assert all(f'DROP TABLE IF EXISTS "{t}__etl_old"' in run[last_commit:] for t in TABLES)


@pytest.mark.parametrize("kind", TYPES)
def test_a_failed_step_publishes_nothing(kind: str, tmp_path: Path) -> None:
    conn, planned, failure = _recorded_run(tmp_path, kind, fail=r'^INSERT INTO "things__etl_next"')
    assert failure is not None and "injected failure" in str(failure.cause)
    run = conn.executed
    failed_at = next(i for i, s in enumerate(run) if s.startswith('INSERT INTO "things__etl_next"'))
    assert not any("RENAME TO" in s for s in run)
    if planned.plan.transactional:
        assert run[failed_at + 1] == planned.plan.rollback
    else:  # the documented non-atomic path: the shadows go, the live tables were never touched
        assert {f'DROP TABLE IF EXISTS "{t}__etl_next"' for t in TABLES} <= set(run[failed_at + 1 :])


@pytest.mark.parametrize("kind", TYPES)
def test_the_dry_run_is_the_sequence_a_run_executes(kind: str, tmp_path: Path) -> None:
    """Every statement the plan prints is executed, but loads, which the run renders again over exactly
    the files it lists then (the dry run shows them over the files listed when it was made)."""
    conn, planned, _ = _recorded_run(tmp_path, kind)
    loads = {s.id for s in planned.plan.steps if s.kind == "load"}
    shown = [sql for step, sql in planned.plan.statements() if step not in loads]
    executed = set(conn.executed)
    missing = [s for s in shown if s not in executed and "pg_get_viewdef" not in s]
    assert not missing, missing[:3]
