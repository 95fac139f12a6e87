"""Bad source data, per source: on_error: fail stops at the first bad record, skip keeps it in _etl_rejects.

Every case runs twice on DuckDB files in tmp: with skip (good records loaded, each bad one in
_etl_rejects with file, line, reason and raw text) and with fail (the run stops naming file, line
and reason, and the tables of the previous run stand).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.inputs import list_files
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan

#: MINIMAL with a bigint column, for the wrong-type case
PIPELINE = MINIMAL.replace(
    "columns: {id: integer, name: varchar, kind: varchar}\nstar:",
    "columns: {id: integer, name: varchar, kind: varchar, ts: bigint}\nstar:",
)
GOOD = b'{"id": 1, "name": "a", "kind": "x"}\n{"id": 2, "name": "b", "kind": "y", "ts": 5}\n'
HUGE = "x" * 5_000_000


def _pipeline(on_error: str, extra: str = "") -> str:
    return PIPELINE.replace(
        "things: {path: data, format: json}", f"things: {{path: data, format: json, on_error: {on_error}{extra}}}"
    )


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _rejects(db: Path) -> list[tuple[object, ...]]:
    """(file name, line, reason, raw) of every reject, in file and line order."""
    return [
        (Path(str(f)).name, line, reason, raw)
        for f, line, reason, raw in _rows(db, "select file, line, reason, raw from _etl_rejects order by file, line")
    ]


@dataclass
class Case:
    files: dict[str, bytes]
    #: ids of staging_things after a skip run (the good file holds 1 and 2)
    ids: list[int]
    #: (file, line, reason) of each reject; empty: the case is good data, and fail loads it too
    rejects: list[tuple[str, int, str]] = field(default_factory=list)


def _gz(data: bytes) -> bytes:
    return gzip.compress(data)


def _pretty(*objects: dict[str, object]) -> bytes:
    return "".join(json.dumps(o, indent=2) + "\n" for o in objects).encode()


CASES = {
    "truncated line": Case(
        {"bad.json": b'{"id": 10}\n{"id": 11, "name": "k", "ki\n{"id": 12}\n'},
        [10, 12],
        [("bad.json", 2, "not valid JSON: the object is not closed (cut short?)")],
    ),
    "not JSON": Case({"bad.json": b'{"id": 10}\nhello world\n'}, [10], [("bad.json", 2, "not valid JSON")]),
    "UTF-8 BOM": Case({"bom.json": b'\xef\xbb\xbf{"id": 10}\n{"id": 11}\n'}, [10, 11]),
    "invalid UTF-8": Case(
        {"bad.json": b'{"id": 10}\n{"id": 11, "name": "\xff\xfe"}\n{"id": 12, "name": "\xc3\xa9"}\n'},
        [10, 12],
        [("bad.json", 2, "not valid UTF-8")],
    ),
    "empty file": Case({"empty.json": b""}, []),
    "wrong type": Case(
        {"bad.json": b'{"id": 10, "ts": 7}\n{"id": 11, "ts": "abc"}\n'},
        [10],
        [("bad.json", 2, "column ts: 'abc' is not BIGINT")],
    ),
    "missing key": Case({"some.json": b'{"id": 10}\n{"kind": "x", "id": 11}\n'}, [10, 11]),
    "unknown keys": Case({"more.json": b'{"id": 10, "zzz": {"deep": [1, 2]}, "name": "j"}\n'}, [10]),
    "gzip beside plain": Case(
        {
            "packed.json.gz": _gz(b'{"id": 10}\n{"id": "ten"}\n'),
            "sneaky.json": _gz(b'{"id": 11}\n\n{"id": 12, "ts": 1.5e3}\n{"id": 13, "kind": 3}\n'),
        },
        [10, 11, 12, 13],
        [("packed.json.gz", 2, "column id: 'ten' is not INTEGER")],
    ),
    "gzip, invalid UTF-8 inside": Case(
        {"packed.json.gz": _gz(b'{"id": 10}\n{"id": "\xff"}\n{"id": 11}\n{"id": []}\n')},
        [10, 11],
        [("packed.json.gz", 2, "not valid UTF-8"), ("packed.json.gz", 4, "column id: '[]' is not INTEGER")],
    ),
    "CRLF": Case(
        {"dos.json": b'{"id": 10}\r\n{"id": "x"}\r\n{"id": 12}\r\n'},
        [10, 12],
        [("dos.json", 2, "column id: 'x' is not INTEGER")],
    ),
    "huge field": Case({"big.json": json.dumps({"id": 10, "name": HUGE}).encode() + b'\n{"id": 11}\n'}, [10, 11]),
    "huge field, gzip": Case(
        {"big.json.gz": _gz(json.dumps({"id": 10, "name": HUGE}).encode() + b'\n{"id": "x"}\n')},
        [10],
        [("big.json.gz", 2, "column id: 'x' is not INTEGER")],
    ),
    "duplicate key": Case(
        {"dup.json": b'{"id": 10, "id": 11}\n{"id": 12, "zzz": 1, "zzz": 2}\n'},
        [12],
        [("dup.json", 1, 'duplicate key "id"')],
    ),
    "pretty-printed": Case({"pretty.json": _pretty({"id": 10, "name": "j"}, {"id": 11, "kind": "x"})}, [10, 11]),
    "pretty-printed, one bad": Case(
        {"pretty.json": _pretty({"id": 10}, {"id": "x", "name": "k"}, {"id": 12})},
        [10, 12],
        [("pretty.json", 4, "column id: 'x' is not INTEGER")],
    ),
    "top-level array": Case({"array.json": b'[{"id": 10}, {"id": 11}]\n'}, [10, 11]),
    "not an object": Case(
        {"bad.json": b'{"id": 10}\n42\n"text"\n'},
        [10],
        [("bad.json", 2, "not a JSON object but a number"), ("bad.json", 3, "not a JSON object but a string")],
    ),
}


def _project(tmp_path: Path, on_error: str, files: dict[str, bytes], extra: str = "") -> Path:
    file = make_project(tmp_path, _pipeline(on_error, extra), rows=[])
    (tmp_path / "data" / "part.json").write_bytes(GOOD)
    for name, data in files.items():
        (tmp_path / "data" / name).write_bytes(data)
    return file


@pytest.mark.parametrize("name", list(CASES))
def test_skip_loads_the_good_records_and_keeps_the_bad(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    file = _project(tmp_path, "skip", case.files)
    result = run_plan(build_plan(load_pipeline(file)))
    db = tmp_path / "warehouse.duckdb"
    ids = [r[0] for r in _rows(db, "select id from staging_things order by id")]
    assert ids == [1, 2, *case.ids]
    if name.startswith("huge field"):
        assert _rows(db, "select length(name) from staging_things where id = 10") == [(len(HUGE),)]
    assert {s.step.id: s.rows for s in result.steps}["load:staging_things"] == len(ids)
    found = _rejects(db)
    assert [(f, line, reason) for f, line, reason, _raw in found] == case.rejects
    for f, _line, _reason, raw in found:
        assert raw and "\r" not in str(raw), f
    assert _rows(db, "select distinct pipeline, table_name from _etl_rejects") == (
        [("mini", "staging_things")] if case.rejects else []
    )


@pytest.mark.parametrize("name", list(CASES))
def test_fail_stops_at_the_first_bad_record_and_the_previous_tables_stand(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    file = _project(tmp_path, "fail", {})
    run_plan(build_plan(load_pipeline(file)))
    for f, data in case.files.items():
        (tmp_path / "data" / f).write_bytes(data)
    db = tmp_path / "warehouse.duckdb"
    if not case.rejects:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
        assert [r[0] for r in _rows(db, "select id from staging_things order by id")] == [1, 2, *case.ids]
        return
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    first_file, first_line, first_reason = case.rejects[0]
    message = str(failed.value)
    assert f"{tmp_path / 'data' / first_file}:{first_line}: {first_reason}" in message
    assert f"source 'things' has {len(case.rejects)} bad record(s)" in message
    assert [r[0] for r in _rows(db, "select id from staging_things order by id")] == [1, 2]
    assert [r[0] for r in _rows(db, "select id from things order by id")] == [1, 2]


def test_the_raw_text_is_kept_and_cut_at_10000_characters(tmp_path: Path) -> None:
    long_bad = json.dumps({"id": "x", "name": HUGE}).encode()
    file = _project(tmp_path, "skip", {"bad.json": b'{"id": 1O}\r\n' + long_bad + b"\n"})
    run_plan(build_plan(load_pipeline(file)))
    (_f1, _l1, reason1, raw1), (_f2, _l2, reason2, raw2) = _rejects(tmp_path / "warehouse.duckdb")
    assert (reason1, raw1) == ("not valid JSON", '{"id": 1O}')
    assert reason2 == "column id: 'x' is not INTEGER"
    assert raw2 == long_bad.decode()[:10000]


def test_more_rejects_than_max_errors_fail_the_load(tmp_path: Path) -> None:
    bad = b'{"id": 10}\nnope\n{"id": "x"}\n{"id": 13, "id": 14}\n'
    file = _project(tmp_path, "fail", {})
    run_plan(build_plan(load_pipeline(file)))
    (tmp_path / "data" / "bad.json").write_bytes(bad)
    file.write_text(_pipeline("skip", ", max_errors: 2"))
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    path = tmp_path / "data" / "bad.json"
    assert (
        f"staging_things: 3 bad record(s), more than max_errors (2) allows (source things, on_error: skip); "
        f"first: {path}:2: not valid JSON; {path}:3: column id: 'x' is not INTEGER; "
        f'{path}:4: duplicate key "id"'
    ) in str(failed.value)
    db = tmp_path / "warehouse.duckdb"
    assert [r[0] for r in _rows(db, "select id from staging_things order by id")] == [1, 2]
    assert "_etl_rejects" not in {r[0] for r in _rows(db, "select table_name from duckdb_tables()")}
    file.write_text(_pipeline("skip", ", max_errors: 3"))
    run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    assert len(_rejects(db)) == 3


def test_rejects_accumulate_run_after_run(tmp_path: Path) -> None:
    file = _project(tmp_path, "skip", {"bad.json": b"nope\n"})
    run_plan(build_plan(load_pipeline(file)))
    (tmp_path / "data" / "later.json").write_bytes(b'{"id": 20}\n{"id": "y"}\n')
    result = run_plan(build_plan(load_pipeline(file)))  # incremental: only later.json
    assert result.incremental
    db = tmp_path / "warehouse.duckdb"
    assert [(f, line) for f, line, _r, _raw in _rejects(db)] == [("bad.json", 1), ("later.json", 2)]
    assert _rows(db, "select count(distinct loaded_at) from _etl_rejects") == [(2,)]
    # the load's working tables were temporary and dropped: none is left in the warehouse
    tables = {str(r[0]) for r in _rows(db, "select table_name from duckdb_tables()")}
    assert "_etl_rejects" in tables
    assert not [t for t in tables if t.startswith(("_etl_lines", "_etl_checked", "_etl_gz", "_etl_csv"))]


def test_the_rejects_hook_counts_what_this_load_wrote(tmp_path: Path) -> None:
    """LoadSpec.rejects, carried on the load step: one query, same transaction, this load's rejects."""
    file = _project(tmp_path, "skip", {"bad.json": b'nope\n{"id": "x"}\n{"id": 3}\n'})
    plan = build_plan(load_pipeline(file))
    load = next(s for s in plan.steps if s.id == "load:staging_things")
    assert load.rejects is not None and load.rejects.startswith('SELECT count(*) FROM "_etl_rejects"')
    source = plan.pipeline.sources["things"]
    rendered = plan.render_load(load, tuple(e.location for e in list_files(source)))
    assert rendered.rejects == load.rejects
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("BEGIN TRANSACTION")
        for step in plan.steps:
            if step.id == "create:staging_things":
                for sql in step.statements:
                    con.execute(sql)
        for sql in rendered.statements:
            con.execute(sql)
        assert con.execute(rendered.rejects).fetchall() == [(2,)]
        con.execute("COMMIT")


def test_empty_folder_is_a_clear_error_in_both_modes(tmp_path: Path) -> None:
    for on_error in ("fail", "skip"):
        file = _project(tmp_path / on_error, on_error, {})
        (tmp_path / on_error / "data" / "part.json").unlink()
        with pytest.raises(ConfigError, match="no files in"):
            build_plan(load_pipeline(file))


def test_gzip_line_numbers_run_ahead_after_a_lone_carriage_return(tmp_path: Path) -> None:
    """The documented limit of gzip files in skip mode: DuckDB's CSV reader, which numbers their lines,
    also ends a line at a lone CR (and counts CR LF twice in a file that mixes line ends)."""
    data = b'{"id": 10}\n{"id": 11}\r{"id": 12}\n{"id": "x"}\n'
    file = _project(tmp_path, "skip", {"mixed.json.gz": _gz(data)})
    run_plan(build_plan(load_pipeline(file)))
    db = tmp_path / "warehouse.duckdb"
    assert [(f, line) for f, line, _r, _raw in _rejects(db)] == [("mixed.json.gz", 4)]  # really line 3
    (tmp_path / "data" / "mixed.json.gz").unlink()
    (tmp_path / "data" / "mixed.json").write_bytes(data)  # as plain text the numbers are right
    run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    assert [(f, line, reason) for f, line, reason, _raw in _rejects(db) if f == "mixed.json"] == [
        ("mixed.json", 2, "not valid JSON"),
        ("mixed.json", 3, "column id: 'x' is not INTEGER"),
    ]


def test_jsonpaths_and_not_null_columns_in_skip_mode(tmp_path: Path) -> None:
    text = _pipeline("skip", ", jsonpaths: paths.json").replace(
        "columns: {id: integer, name: varchar, kind: varchar, ts: bigint}",
        "columns: {id: {type: integer, not_null: true}, name: varchar, kind: varchar, ts: bigint}",
    )
    file = make_project(tmp_path, text, rows=[])
    (tmp_path / "paths.json").write_text(
        json.dumps({"jsonpaths": ["$['ID']", "$.label.text", "$['Kind']", "$.when.ms"]})
    )
    (tmp_path / "data" / "part.json").write_bytes(
        b'{"ID": 1, "label": {"text": "one"}, "Kind": "x", "when": {"ms": 5}}\n'
        b'{"label": {"text": "no id"}}\n'
        b'{"ID": 3, "when": {"ms": "soon"}}\n'
        b'{"ID": 4, "id": 4, "label": {"text": "other keys may repeat"}, "id": 5}\n'
    )
    run_plan(build_plan(load_pipeline(file)))
    db = tmp_path / "warehouse.duckdb"
    assert _rows(db, "select id, name, kind, ts from staging_things order by id") == [
        (1, "one", "x", 5),
        (4, "other keys may repeat", None, None),
    ]
    assert [(line, reason) for _f, line, reason, _raw in _rejects(db)] == [
        (2, "column id: missing or null, but declared not_null"),
        (3, "column ts: 'soon' is not BIGINT"),
    ]


CSV = "things: {path: data, format: csv, on_error: ON_ERROR}"


def test_csv_skip_keeps_each_bad_line_in_the_rejects(tmp_path: Path) -> None:
    file = make_project(
        tmp_path, MINIMAL.replace("things: {path: data, format: json}", CSV.replace("ON_ERROR", "skip")), rows=[]
    )
    (tmp_path / "data" / "part.json").unlink()
    (tmp_path / "data" / "a.csv").write_bytes(
        b'id,name,kind\n1,a,x\nabc,b,y\n3,c\n4,d,x,extra\n5,"q""uote",y\n6,\xff,x\n'
    )
    (tmp_path / "data" / "b.csv.gz").write_bytes(_gz(b"id,name,kind\r\n7,g,x\r\n8x,h,y\r\n"))
    run_plan(build_plan(load_pipeline(file)))
    db = tmp_path / "warehouse.duckdb"
    assert _rows(db, "select id, name from staging_things order by id") == [(1, "a"), (5, 'q"uote'), (7, "g")]
    assert [(f, line, reason, raw) for f, line, reason, raw in _rejects(db)] == [
        ("a.csv", 3, 'Error when converting column "id". Could not convert string "abc" to \'INTEGER\'', "abc,b,y"),
        ("a.csv", 4, "Expected Number of Columns: 3 Found: 2", "3,c"),
        ("a.csv", 5, "Expected Number of Columns: 3 Found: 4", "4,d,x,extra"),
        ("a.csv", 7, "Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.", "6,?,x"),
        ("b.csv.gz", 3, 'Error when converting column "id". Could not convert string "8x" to \'INTEGER\'', "8x,h,y"),
    ]


def test_csv_fail_names_file_and_line(tmp_path: Path) -> None:
    file = make_project(
        tmp_path, MINIMAL.replace("things: {path: data, format: json}", CSV.replace("ON_ERROR", "fail")), rows=[]
    )
    (tmp_path / "data" / "part.json").unlink()
    (tmp_path / "data" / "a.csv").write_text('id,name,kind\n1,a,x\n2,"never closed,y\n')
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file)))
    message = str(failed.value)
    assert f"{tmp_path / 'data' / 'a.csv'}:3: Value with unterminated quote found." in message
    assert re.search(r"\(DuckDB: .*a\.csv", message)


def test_skip_on_postgres_is_refused_at_validate_time(tmp_path: Path) -> None:
    text = _pipeline("skip").replace(
        "local: {type: duckdb, path: warehouse.duckdb}",
        "local: {type: duckdb, path: warehouse.duckdb}\n  pg: {type: postgres}",
    )
    file = _project(tmp_path, "skip", {})
    file.write_text(text)
    with pytest.raises(ConfigError, match="source 'things': on_error: skip is not supported on the postgres"):
        build_plan(load_pipeline(file), "pg")
    file.write_text(text.replace("on_error: skip", "on_error: fail"))
    build_plan(load_pipeline(file), "pg")


@pytest.mark.parametrize(
    ("on_error", "extra", "maxerror"),
    [
        ("skip", "", "MAXERROR 100000"),
        ("skip", ", max_errors: 7", "MAXERROR 7"),
        ("fail", ", max_errors: 3", "MAXERROR 3"),
        ("fail", "", None),
    ],
)
def test_on_error_on_redshift_is_copy_maxerror(tmp_path: Path, on_error: str, extra: str, maxerror: str | None) -> None:
    text = (
        _pipeline(on_error, extra)
        .replace(
            "local: {type: duckdb, path: warehouse.duckdb}",
            'rs: {type: redshift, host: h, database: d, user: u, password: "${PW}", iam_role: "arn:aws:iam::1:role/r"}',
        )
        .replace("path: data", "path: s3://bucket/things")
    )
    file = make_project(tmp_path, text)
    copy = next(s for s in build_plan(load_pipeline(file)).steps if s.id == "load:staging_things").statements[0]
    assert re.findall(r"MAXERROR \d+", copy) == ([maxerror] if maxerror else [])


def test_the_run_counts_its_rejects_in_the_summary_and_the_history(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from engine.cli import app

    file = _project(tmp_path, "skip", {"bad.json": b'nope\n{"id": "x"}\n{"id": 3}\n'})
    result = run_plan(build_plan(load_pipeline(file)))
    load = next(s for s in result.steps if s.step.id == "load:staging_things")
    assert load.rejected == 2 and any("2 bad record(s)" in n for n in load.notes)
    out = CliRunner().invoke(app, ["run", str(file), "--full-refresh"])
    assert out.exit_code == 0, out.output
    assert re.search(r"load:staging_things\s+│\s+[\d,]+\s+│\s+2\s+│", out.output), out.output
    assert _rows(
        tmp_path / "warehouse.duckdb",
        "select detail from _etl_run_steps where step = 'load:staging_things' order by run_id",
    ) == [("2 rejected",), ("2 rejected",)]
