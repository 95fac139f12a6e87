"""Issue "nothing lost, nothing let in, part 2": hostile folders, paths, names and faults, through the real CLI.

Each test runs ``python -m engine`` in a subprocess, as a user meets the engine, on a small project in
tmp (tests/helpers.py's MINIMAL bent one way) and asserts the exit code and what is said.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from helpers import MINIMAL, make_project


def cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The engine in its own process: this checkout's, unless PYTHONPATH names another."""
    full = {"PYTHONPATH": str(ROOT), **os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full
    )


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def clean_failure(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The output of a run that failed with ``code`` and one screen of text, no traceback."""
    out = f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr, out
    assert done.returncode == code, out
    return done.stdout + done.stderr


def _songs(folder: Path, ids: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in ids:
        (folder / f"song{i}.json").write_text(json.dumps({"id": i, "name": f"s{i}", "kind": "x"}) + "\n")


# -- 1. symbolic links: each real file once, never out of the source folder ---------------------------------------


def test_symlink_loop_and_links_out_are_not_followed(tmp_path: Path) -> None:
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    data = tmp_path / "data"
    _songs(data / "A" / "A" / "A", range(10, 14))
    (data / "A" / "A" / "A" / "loop").symlink_to("..", target_is_directory=True)  # back up the tree
    (data / "A" / "again").symlink_to(data / "A" / "A", target_is_directory=True)  # a folder already listed
    (data / "same.json").symlink_to(data / "part.json")  # a file already listed
    outside = tmp_path / "outside"
    _songs(outside, range(90, 92))
    (data / "out").symlink_to(outside, target_is_directory=True)  # out of the source folder
    (data / "gone.json").symlink_to(tmp_path / "nothing.json")  # dangling
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")]
    assert ids == [1, 10, 11, 12, 13]
    assert "5 symbolic link(s) not followed" in done.stdout + done.stderr


def test_links_inside_the_folder_to_unlisted_files_are_read_once(tmp_path: Path) -> None:
    """A link to a real file of the source that glob would not reach by name still loads it, once."""
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    data = tmp_path / "data"
    _songs(data / "store", range(20, 22))
    (data / "store" / "song20.json").rename(data / "store" / "song20.txt")
    (data / "alias.json").symlink_to(data / "store" / "song20.txt")
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")]
    assert ids == [1, 20, 21]


# -- 11. folder names with glob characters are names -------------------------------------------------------------


def test_folder_names_with_glob_characters_load(tmp_path: Path) -> None:
    folder = "data [x]*?"
    file = make_project(tmp_path, MINIMAL.replace("path: data,", f"path: '{folder}',"), rows=[])
    _songs(tmp_path / folder / "sub [1]", range(1, 4))
    (tmp_path / folder / "packed.json").write_bytes(__import__("gzip").compress(b'{"id": 7}\n'))
    (tmp_path / "datax").mkdir()  # what the folder name means as a pattern: not read
    _songs(tmp_path / "datax", range(50, 52))
    assert cli(["validate", str(file)], tmp_path).returncode == 0
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")]
    assert ids == [1, 2, 3, 7]


# -- 7. sources outside the project are refused unless allowed ---------------------------------------------------


def _outside_project(tmp_path: Path, path: str) -> Path:
    project = tmp_path / "project"
    return make_project(project, MINIMAL.replace("path: data,", f"path: '{path}',"))


@pytest.mark.parametrize("path", ["/etc", "../../../../../../../../etc", "data/../../.."])
def test_sources_outside_the_project_are_refused(tmp_path: Path, path: str) -> None:
    file = _outside_project(tmp_path, path)
    for args in (["validate"], ["run", "--dry-run"], ["run"]):
        done = cli([*args, str(file)], tmp_path / "project")
        out = clean_failure(done)
        assert f"error: {file}:5:" in out and "is outside the pipeline's folder" in out, out
        assert "--allow-path" in out
        assert "root:" not in out  # no line of /etc/passwd, nor of anything there


def test_a_link_out_of_the_project_is_refused_and_allowing_its_folder_reads_it(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _songs(elsewhere, range(5, 7))
    file = _outside_project(tmp_path, "data/linked")
    (tmp_path / "project" / "data" / "linked").symlink_to(elsewhere, target_is_directory=True)
    out = clean_failure(cli(["validate", str(file)], tmp_path / "project"))
    assert "is outside the pipeline's folder" in out
    assert cli(["validate", str(file), "--allow-path", str(elsewhere)], tmp_path / "project").returncode == 0
    allowed = MINIMAL.replace("path: data,", "path: data/linked,").replace(
        "name: mini\n", f"name: mini\nallowed_roots: ['{elsewhere}']\n"
    )
    (tmp_path / "project" / "pipeline.yaml").write_text(allowed)
    done = cli(["run", str(file)], tmp_path / "project")
    assert done.returncode == 0, done.stderr
    assert rows(tmp_path / "project" / "warehouse.duckdb", "select id from staging_things order by id") == [(5,), (6,)]


def test_a_path_typed_with_var_is_allowed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _songs(elsewhere, range(5, 7))
    file = _outside_project(tmp_path, "{{ data_root }}")
    done = cli(["validate", str(file), "--var", f"data_root={elsewhere}"], tmp_path / "project")
    assert done.returncode == 0, done.stderr


def test_raw_text_quoted_in_a_failure_is_capped(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    (tmp_path / "data" / "bad.json").write_text('{"id": 1, "name": "' + "secret-ish " * 2000 + "\n")
    out = clean_failure(cli(["run", str(file)], tmp_path), code=1)
    assert "bad.json:1: not valid JSON" in out, out
    assert out.count("secret-ish") < 20, out


# -- 8, 10. URLs: supported or one screen ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("file:///etc/passwd", "the URL scheme 'file://' is not supported"),
        ("https://example.com/data", "the URL scheme 'https://' is not supported"),
        ("gs://bucket/x", "the URL scheme 'gs://' is not supported"),
        ("s3:///log_data", "names no bucket"),
        ("s3://My_Bucket/x", "'My_Bucket' is not a valid S3 bucket name"),
    ],
)
def test_urls_are_supported_or_one_screen(tmp_path: Path, path: str, said: str) -> None:
    file = make_project(tmp_path, MINIMAL.replace("path: data,", f"path: '{path}',"))
    for args in (["validate"], ["run", "--dry-run"], ["run"]):
        out = clean_failure(cli([*args, str(file)], tmp_path))
        assert f"error: {file}:5:" in out and said in out, out
        assert len(out.splitlines()) < 10, out


def test_a_jsonpaths_url_of_an_unknown_scheme_is_refused(tmp_path: Path) -> None:
    file = make_project(tmp_path, MINIMAL.replace("path: data,", "path: data, jsonpaths: 'file:///etc/passwd',"))
    out = clean_failure(cli(["validate", str(file)], tmp_path))
    assert "JSONPaths file 'file:///etc/passwd': the URL scheme 'file://' is not supported" in out, out


# -- 9. names equal but for case ---------------------------------------------------------------------------------


def test_table_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "  things:\n    kind: fact",
        "  Kinds:\n    kind: dimension\n    primary_key: kind\n"
        "    columns: {kind: varchar}\n    sql: select distinct kind from staging_things\n"
        "  things:\n    kind: fact",
    )
    file = make_project(tmp_path, text)
    for args in (["validate"], ["run"]):
        out = clean_failure(cli([*args, str(file)], tmp_path))
        assert f"error: {file}:16:" in out and "table 'Kinds' differs from table 'kinds' only in case" in out, out
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_column_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    file = make_project(
        tmp_path,
        MINIMAL.replace(
            "columns: {id: integer, name: varchar, kind: varchar}\nstar:",
            "columns: {id: integer, name: varchar, kind: varchar, NAME: varchar}\nstar:",
        ),
    )
    out = clean_failure(cli(["validate", str(file)], tmp_path))
    assert f"error: {file}:9:" in out, out
    assert "column 'NAME' of 'staging_things' differs from column 'name' only in case" in out, out


# -- 10. values that can never work --------------------------------------------------------------------------------


def _with_checks(tmp_path: Path, checks: str) -> Path:
    return make_project(tmp_path, MINIMAL + "checks:\n" + checks)


def test_row_count_min_above_max_is_refused(tmp_path: Path) -> None:
    file = _with_checks(tmp_path, "  - row_count: {table: things, min: 10, max: 2}\n")
    out = clean_failure(cli(["validate", str(file)], tmp_path))
    assert f"error: {file}:23:" in out and "min 10 is above max 2; no table can pass" in out, out


@pytest.mark.parametrize(
    "query",
    [
        "delete from things",
        "insert into kinds select 'z'",
        "drop table kinds",
        "with d as (select 1) delete from things",
        "update things set name = 'x'",
    ],
)
def test_a_check_that_is_not_a_select_is_refused(tmp_path: Path, query: str) -> None:
    file = _with_checks(tmp_path, f'  - sql: {{table: things, query: "{query}"}}\n')
    out = clean_failure(cli(["validate", str(file)], tmp_path))
    assert f"error: {file}:23:" in out and "is not a query: only a SELECT runs here" in out, out
    # a star table's SQL and a query are queries too
    file = make_project(tmp_path, MINIMAL.replace("sql: select id, name, kind from staging_things", f"sql: {query}"))
    assert "is not a query" in clean_failure(cli(["validate", str(file)], tmp_path))


# -- 6. credentials never printed nor stored ---------------------------------------------------------------------

KEY_ID, SECRET_KEY = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_a_password_in_a_dsn_host_is_not_printed(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "targets:\n",
        "targets:\n  pg: {type: postgres, host: '${PGHOST}', port: '1', dbname: x, user: u, connect_timeout: '2'}\n",
    )
    file = make_project(tmp_path, text)
    done = cli(
        ["run", str(file), "--target", "pg"],
        tmp_path,
        env={"PGHOST": "postgresql://u:pw-hunter2@127.0.0.1:1/x", "PGPASSWORD": "", "PGSERVICE": ""},
    )
    out = clean_failure(done, code=1)
    assert "running mini on pg (postgres" in out, out
    assert "hunter2" not in out, out


def test_key_pairs_and_passwords_in_data_are_masked_in_output_and_history(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    (tmp_path / "data" / "bad.json").write_text(
        json.dumps({"id": f"{KEY_ID} {SECRET_KEY} password=hunter2 postgresql://u:pw-hunter3@h/x"}) + "\n"
    )
    out = clean_failure(cli(["run", str(file)], tmp_path), code=1)
    assert "bad.json:1" in out, out
    history = cli(["history", str(file)], tmp_path)
    assert history.returncode == 0 and "failed" in history.stdout, history.stderr
    stored = str(rows(tmp_path / "warehouse.duckdb", "select * from _etl_runs"))
    assert "bad.json:1" in stored
    for shown in (out, history.stdout, stored):
        for secret in (KEY_ID, SECRET_KEY, "hunter2", "pw-hunter3"):
            assert secret not in shown, shown


# -- 13. Ctrl-C during a check -------------------------------------------------------------------------------------


def test_ctrl_c_during_a_check_exits_130_and_rolls_back(tmp_path: Path) -> None:
    import signal
    import time

    slow = "select r.range from things, range(4000000000) r where r.range < 0"
    file = make_project(tmp_path, MINIMAL + f'checks:\n  - sql: {{table: things, query: "{slow}"}}\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "run", str(file)],
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(ROOT), **os.environ},
    )
    assert proc.stderr is not None
    seen = ""
    while "check:foreign_key_things_kind" not in seen:  # the last key check; the slow one is next
        line = proc.stderr.readline()
        assert line, seen
        seen += line
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, seen + err
    assert "interrupted" in err and "Traceback" not in err, err
    assert not (tmp_path / "warehouse.duckdb").exists() or rows(
        tmp_path / "warehouse.duckdb", "select count(*) from information_schema.tables where table_name = 'things'"
    ) == [(0,)]


def test_a_check_interrupted_inside_duckdb_is_an_interrupt(tmp_path: Path) -> None:
    """DuckDB turns Ctrl-C into its own error while it runs a query; a check's query is no exception."""
    import threading

    from engine.config import load_pipeline
    from engine.plan import build_plan
    from engine.runner import RunFailed, run_plan

    slow = "select r.range from things, range(4000000000) r where r.range < 0"
    file = make_project(tmp_path, MINIMAL + f'checks:\n  - sql: {{table: things, query: "{slow}"}}\n')
    plan = build_plan(load_pipeline(file))

    def listener(event: str, step: object, result: object) -> None:
        if event == "start" and getattr(step, "id", "") == "check:sql_things_1":
            threading.Timer(0.5, plan.adapter._conn.interrupt).start()

    with pytest.raises(RunFailed) as failed:
        run_plan(plan, listener)
    assert failed.value.exit_code == 130, failed.value


# -- 15. every failed run in history; no empty summary -----------------------------------------------------------


def test_a_run_that_fails_on_its_inputs_is_in_history(tmp_path: Path) -> None:
    file = make_project(tmp_path, MINIMAL.replace("path: data,", "path: data, exclude: '**/*.json',"))
    out = clean_failure(cli(["run", str(file)], tmp_path))
    assert "every file is excluded" in out, out
    stored = rows(tmp_path / "warehouse.duckdb", "select status, error from _etl_runs")
    assert len(stored) == 1 and stored[0][0] == "failed" and "every file is excluded" in str(stored[0][1]), stored


def test_a_run_that_never_started_prints_only_the_error(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    holder = duckdb.connect(str(tmp_path / "warehouse.duckdb"))  # another process's session holds the file
    try:
        done = cli(["run", str(file)], tmp_path)
    finally:
        holder.close()
    out = clean_failure(done, code=done.returncode)
    assert done.returncode != 0 and "is in use by another process" in out, out
    assert "rolled back" not in out and "total" not in out, out


# -- 16. validation cost: linear and cheap -----------------------------------------------------------------------


def _wide_pipeline(root: Path, tables: int) -> Path:
    """``tables`` tables: half staging tables over one source, half dimensions each reading one of them."""
    half = tables // 2
    out = [
        "name: wide",
        "targets:",
        "  local: {type: duckdb, path: warehouse.duckdb}",
        "sources:",
        "  s: {path: data, format: json}",
        "staging:",
    ]
    for i in range(half):
        out += [f"  stg_{i}:", "    source: s", "    columns: {id: integer, name: varchar, ts: bigint}"]
    out.append("star:")
    for i in range(half):
        out += [
            f"  dim_{i}:",
            "    kind: dimension",
            "    primary_key: id",
            "    columns: {id: integer, name: varchar}",
            f"    sql: select s.id, s.name as name from stg_{i} s where s.ts > 0",
        ]
    return make_project(root, "\n".join(out) + "\n")


def _validate_cpu_seconds(file: Path) -> float:
    """CPU seconds of a cold `validate` (no stored answer), the better of two: CPU, not wall time, so a busy
    machine (other processes on the same cores) can hardly fail it."""
    import resource
    import shutil

    spent = []
    for _ in range(2):
        shutil.rmtree(file.parent / ".etl-engine", ignore_errors=True)  # cold: no answer to replay
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = cli(["validate", str(file)], file.parent)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, done.stderr
        spent.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return min(spent)


@pytest.mark.slow
def test_a_2000_table_pipeline_validates_cold_in_under_2_seconds(tmp_path: Path) -> None:
    small = _validate_cpu_seconds(_wide_pipeline(tmp_path / "small", 500))
    large = _validate_cpu_seconds(_wide_pipeline(tmp_path / "large", 2000))
    assert large < 2.0, f"2,000 tables: {large:.2f} s of CPU"
    assert large < 4.5 * small, f"not linear: 500 tables {small:.2f} s, 2,000 tables {large:.2f} s"


# -- 14. readers while a run holds a DuckDB file -----------------------------------------------------------------


@pytest.mark.parametrize("command", [["query"], ["history"]])
def test_readers_wait_for_a_run_that_holds_the_file_and_say_so(tmp_path: Path, command: list[str]) -> None:
    file = make_project(tmp_path, MINIMAL + "queries:\n  kinds_count: select count(*) as n from kinds\n")
    assert cli(["run", str(file)], tmp_path).returncode == 0
    holder = duckdb.connect(str(tmp_path / "warehouse.duckdb"))  # as a run holds it
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", *command, str(file)],
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(ROOT), **os.environ},
    )
    assert proc.stderr is not None
    try:
        said = proc.stderr.readline()  # the reader says it waits, and waits ...
        assert "waiting for the run that holds duckdb at" in said, said
        assert proc.poll() is None
    finally:
        holder.close()  # ... until the run ends
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert ("kinds_count" if command == ["query"] else "committed") in out, out


def test_a_reader_that_waited_long_enough_says_so(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    assert cli(["run", str(file)], tmp_path).returncode == 0
    holder = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        done = cli(["history", str(file), "--wait", "1"], tmp_path)
    finally:
        holder.close()
    out = clean_failure(done, code=1)
    assert "is in use by another process" in out and "(waited 1 s)" in out, out


# -- 5. duplicate keys folded by a dimension's SQL are counted -----------------------------------------------------

PICK = (
    "select kind from (select kind, row_number() over (partition by kind order by id) as pick "
    "from staging_things where kind is not null) as k where pick = 1"
)


@pytest.mark.parametrize(
    "sql",
    [
        "select distinct kind as kind from staging_things where kind is not null",
        PICK,
        "select kind from staging_things where kind is not null group by kind",
    ],
)
def test_a_dimension_folding_duplicate_keys_says_how_many(tmp_path: Path, sql: str) -> None:
    file = make_project(
        tmp_path,
        MINIMAL.replace("sql: select distinct kind as kind from staging_things where kind is not null", f"sql: {sql}"),
    )
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    said = "'kinds': 3 source rows folded into 2 keys by its SQL (one row picked per key)"
    assert said in done.stderr and said in done.stdout, done.stdout + done.stderr  # progress and summary
    (tmp_path / "data" / "more.json").write_text(json.dumps({"id": 4, "name": "d", "kind": "x"}) + "\n")
    again = cli(["run", str(file)], tmp_path)  # incremental: MERGE
    assert again.returncode == 0, again.stderr
    assert "'kinds': 4 source rows folded into 2 keys" in again.stderr, again.stderr


def test_a_dimension_without_duplicates_says_nothing(tmp_path: Path) -> None:
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}, {"id": 2, "name": "b", "kind": "y"}])
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0 and "folded" not in done.stdout + done.stderr, done.stderr


# -- 4. a NULL a star table refuses, traced to its source records --------------------------------------------------


def test_a_null_in_a_not_null_star_column_names_its_source_records(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "columns: {id: integer, name: varchar, kind: varchar}\n    sql: select id, name",
        "columns: {id: integer, name: {type: varchar, not_null: true}, kind: varchar}\n"
        "    sql: select id, upper(name) as name",
    )
    file = make_project(
        tmp_path,
        text,
        rows=[{"id": 1, "name": "a", "kind": "x"}, {"id": 2, "kind": "y"}, {"id": 3, "name": None, "kind": "x"}],
    )
    out = clean_failure(cli(["run", str(file)], tmp_path), code=1)
    part = tmp_path / "data" / "part.json"
    assert "star table 'things': its SELECT gives NULL in column 'name', which is declared not_null" in out, out
    assert "staging_things.name (source 'things') is missing or null in 2 source record(s)" in out, out
    assert f"{part}:2\n" in out and f"{part}:3\n" in out, out
    assert "declare staging_things.name not_null: true" in out, out


def test_declaring_the_staging_column_not_null_refuses_the_records_at_load(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "columns: {id: integer, name: varchar, kind: varchar}\nstar:",
        "columns: {id: integer, name: {type: varchar, not_null: true}, kind: varchar}\nstar:",
    )
    file = make_project(tmp_path, text, rows=[{"id": 1, "name": "a", "kind": "x"}, {"id": 2, "kind": "y"}])
    out = clean_failure(cli(["run", str(file)], tmp_path), code=1)
    assert f"{tmp_path / 'data' / 'part.json'}:2: column name: missing or null, but declared not_null" in out, out


# -- 12. a full disk -----------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs (root only): a real full disk, not a simulated one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _on_disk(tmp_path: Path, disk: Path, sql: str = "select id, name, kind from staging_things") -> Path:
    text = MINIMAL.replace("path: warehouse.duckdb", f"path: '{disk / 'warehouse.duckdb'}'").replace(
        "sql: select id, name, kind from staging_things", f"sql: {sql}"
    )
    return make_project(tmp_path, text)


@pytest.mark.slow
def test_a_run_that_fills_the_disk_leaves_the_file_no_larger_and_the_next_run_works(
    tmp_path: Path, tiny_disk: Path
) -> None:
    file = _on_disk(tmp_path, tiny_disk)
    assert cli(["run", str(file)], tmp_path).returncode == 0
    db = tiny_disk / "warehouse.duckdb"
    before = db.stat().st_size
    # a fact that explodes to far more rows than the disk holds
    huge = (
        "select id * 100000000 + r.range as id, md5(r.range::varchar) || name as name, kind "
        "from staging_things, range(3000000) r"
    )
    _on_disk(tmp_path, tiny_disk, huge)
    out = clean_failure(cli(["run", str(file), "--full-refresh"], tmp_path), code=1)
    assert "rolled back" in out or "error" in out
    assert db.stat().st_size <= before, f"{before:,} -> {db.stat().st_size:,}"
    _on_disk(tmp_path, tiny_disk)
    again = cli(["run", str(file), "--full-refresh"], tmp_path)  # recovers by itself
    assert again.returncode == 0, again.stderr
    assert rows(db, "select count(*) from things") == [(3,)]


def test_a_run_refuses_early_when_the_disk_cannot_hold_its_sources(tmp_path: Path, tiny_disk: Path) -> None:
    file = _on_disk(tmp_path, tiny_disk)
    line = json.dumps({"id": 1, "name": "x" * 200, "kind": "k"}) + "\n"
    (tmp_path / "data" / "big.json").write_text(line * (40 * 1024 * 1024 // len(line)))  # 40 MB > 24 MB
    out = clean_failure(cli(["run", str(file)], tmp_path), code=1)
    assert "not enough free space for this run" in out and "nothing was changed" in out, out
    assert "total" not in out  # nothing started: only the error
    assert not (tiny_disk / "warehouse.duckdb").exists() or rows(
        tiny_disk / "warehouse.duckdb", "select count(*) from information_schema.tables where table_name = 'things'"
    ) == [(0,)]


def test_a_run_whose_s3_inputs_are_out_of_reach_while_planning_is_in_history(tmp_path: Path) -> None:
    """The S3 JSONPaths file is fetched while the run is planned; out of reach, the run still gets its row."""
    s3 = "s3: {endpoint_url: 'http://127.0.0.1:9', anonymous: true, region: us-east-1}"
    file = make_project(
        tmp_path, MINIMAL.replace("path: data,", f"path: data, jsonpaths: 's3://bucket-x/paths.json', {s3},")
    )
    done = cli(["run", str(file)], tmp_path, env={"AWS_MAX_ATTEMPTS": "1"})
    out = clean_failure(done, code=1)
    assert "s3://bucket-x/paths.json" in out or "Could not connect" in out, out
    assert "total" not in out, out
    stored = rows(tmp_path / "warehouse.duckdb", "select status, error from _etl_runs")
    assert len(stored) == 1 and stored[0][0] == "failed" and "Could not connect" in str(stored[0][1]), stored


@pytest.mark.parametrize("pipeline", ["pipeline.yaml", "examples/movielens/pipeline.yaml"])
def test_validate_counts_the_steps_a_run_plans(pipeline: str) -> None:
    """validate checks without rendering; the plan it reports is the one a run renders."""
    from engine.config import load_pipeline
    from engine.context import check_plan
    from engine.plan import build_plan

    loaded = load_pipeline(ROOT / pipeline)
    assert check_plan(loaded).steps == len(build_plan(loaded).steps)


def test_compact_refuses_a_source_outside_the_project(tmp_path: Path) -> None:
    file = _outside_project(tmp_path, "/etc")
    out = clean_failure(cli(["compact", str(file), "things", str(tmp_path / "out")], tmp_path / "project"))
    assert "is outside the pipeline's folder" in out, out
    assert not (tmp_path / "out").exists()
