"""Small JSON files under on_error: fail are read whole as text and cast in one statement (json_text.sql).

That read must load exactly what the checked read (json_records.sql) loads, and fail wherever the checked
read refuses a record, with the checked read's explanation (file, line, reason). Here: many small files in
every layout and encoding the text read takes, loaded under fail and, as the reference, under skip (every
file through the checked read), compared with EXCEPT ALL both ways, column types included; then each bad
file beside them fails the fail run naming its file and line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.targets._duckdb_json import json_files

PIPELINE = """\
name: texts
targets:
  local: {type: duckdb, path: warehouse.duckdb}
sources:
  things: {path: data/things, format: json, on_error: ON_ERROR}
  mapped: {path: data/mapped, format: json, on_error: ON_ERROR, jsonpaths: paths.json}
staging:
  staging_things:
    source: things
    columns:
      id: bigint
      name: varchar
      score: double
      flag: boolean
      count: integer
      price: decimal(10,2)
      day: date
      payload: varchar
      seen: timestamp
      label: varchar
  staging_mapped:
    source: mapped
    columns:
      id: {type: bigint, not_null: true}
      upper_name: varchar
      city: varchar
      zip: integer
      first_tag: varchar
      id_text: varchar
      big: decimal(38,0)
      small: smallint
      real_value: real
star:
  ids:
    kind: dimension
    primary_key: id
    columns: {id: bigint}
    sql: select distinct id from staging_mapped
"""
#: by position, as Redshift COPY maps them: a nested path, an array element, a key read twice, a key's case
JSONPATHS = {
    "jsonpaths": [
        "$['id']",
        "$['Name']",
        "$['address']['city']",
        "$.address.zip",
        "$['tags'][0]",
        "$['id']",
        "$['big']",
        "$['small']",
        "$['real']",
    ]
}

THINGS = [
    {
        "id": 1,
        "name": "plain",
        "score": 1.5,
        "flag": True,
        "count": 3,
        "price": 12.5,
        "day": "2024-02-29",
        "seen": "2024-01-02 03:04:05.678",
    },
    {"id": "2", "name": 12.50, "score": "1e3", "flag": "true", "count": "7", "price": "0.10", "label": True},
    {"id": 9007199254740993, "name": {"x": [1, 2]}, "score": 1e308, "flag": 0, "label": [1, "a"]},
    {"id": -9223372036854775808, "score": 5e-324, "flag": False, "payload": {"deep": {"list": [1, None, "é"]}}},
    {"id": 5, "name": "unicode é ü 😀 \u2028", "score": -0.0, "payload": [1, 2], "label": "tab\there"},
    {"ID": 6, "Name": "case: neither key is read", "label": "only label"},
    {"id": 7, "zzz": {"deep": 1}, "payload": None, "name": None},
    {"count": 2147483647, "price": "-99999999.99"},
    {"id": 8, "name": "\\u escapes kept as text", "label": "\\\\"},
]
MAPPED = [
    {
        "id": 1,
        "Name": "Upper",
        "address": {"city": "Oslo", "zip": "0150"},
        "tags": ["a", "b"],
        "big": 1,
        "small": "-32768",
    },
    {"id": 2, "name": "lower only", "address": {"zip": 2}, "tags": [], "big": "99999999999999999999999999999999999999"},
    {"id": "3", "address": None, "tags": [{"x": 1}], "big": 12345678901234567890123, "small": 7, "real": 0.1},
    {"id": 4, "Name": 42, "address": {"city": {"x": "y"}, "zip": 3.0}, "real": "3.5"},
]


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _lines(*records: object, crlf: bool = False) -> bytes:
    end = "\r\n" if crlf else "\n"
    return "".join(json.dumps(r, ensure_ascii=False) + end for r in records).encode()


def _pretty(*records: object, crlf: bool = False, gap: str = "") -> bytes:
    text = "".join(json.dumps(r, indent=2, ensure_ascii=False) + "\n" + gap for r in records)
    return (text.replace("\n", "\r\n") if crlf else text).encode()


def _good(records: list[dict[str, object]]) -> dict[str, bytes]:
    """The records in many small files, one layout or quirk each, every record in several of them."""
    files: dict[str, bytes] = {}
    for i, r in enumerate(records):
        files[f"one/{i}.json"] = json.dumps(r, separators=(",", ":")).encode()  # no final line feed
        files[f"pretty/{i}.json"] = _pretty(r)
    files["lines.json"] = _lines(*records)
    files["crlf.json"] = _lines(*records, crlf=True)
    files["bom.json"] = b"\xef\xbb\xbf" + _lines(*records)
    files["bom_pretty.json"] = b"\xef\xbb\xbf" + _pretty(*records)
    files["blank.json"] = b"\n  \n" + _lines(*records).replace(b"\n", b"\n\t \n\n") + b"   "
    files["pretty_many.json"] = _pretty(*records, gap="\n")
    files["pretty_crlf.json"] = _pretty(*records, crlf=True, gap="\n")
    # a blank line inside a pretty record, a record on one line after pretty ones, unicode escaped
    files["pretty_mixed.json"] = (
        _pretty(*records[:2]).replace(b",\n", b",\n\n", 1) + json.dumps(records[2], ensure_ascii=True).encode() + b"\n"
    )
    files["empty.json"] = b""
    files["spaces.json"] = b"  \n\n"
    # a vertical tab around a record: read_json's white space, not the parser's: stays on the checked read
    files["vtab.json"] = json.dumps(records[0]).encode() + b"\x0b\n"
    return files


def _project(root: Path, on_error: str, extra: dict[str, bytes] | None = None) -> Path:
    for name, records in (("things", THINGS), ("mapped", MAPPED)):
        for rel, data in _good(records).items():
            path = root / "data" / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for rel, data in (extra or {}).items():
        (root / "data" / rel).write_bytes(data)
    (root / "paths.json").write_text(json.dumps(JSONPATHS))
    file = root / "pipeline.yaml"
    file.write_text(PIPELINE.replace("ON_ERROR", on_error))
    return file


def _differences(a: Path, b: Path, table: str) -> tuple[int, int, list[object]]:
    """Rows of a's table not in b's and b's not in a's (EXCEPT ALL), and the columns whose types differ."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        one = con.execute(f"SELECT count(*) FROM (FROM a.{table} EXCEPT ALL FROM b.{table})").fetchone()
        two = con.execute(f"SELECT count(*) FROM (FROM b.{table} EXCEPT ALL FROM a.{table})").fetchone()
        types = con.execute(
            "SELECT column_name, data_type, database_name FROM duckdb_columns() WHERE table_name = ? "
            "AND database_name IN ('a', 'b') ORDER BY column_index",
            [table],
        ).fetchall()
    by_db: dict[str, list[tuple[object, object]]] = {"a": [], "b": []}
    for name, kind, db in types:
        by_db[str(db)].append((name, kind))
    assert one is not None and two is not None
    return int(one[0]), int(two[0]), [x for x in by_db["a"] if x not in by_db["b"]]


@pytest.fixture(params=["bound", "read_text"])
def text_source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The small files' text either bound to the statement (what the sniff read) or read again by read_text
    (over BOUND_MAX_BYTES): both must load, and refuse, the same records."""
    if request.param == "read_text":
        monkeypatch.setattr("engine.targets._duckdb_json.BOUND_MAX_BYTES", 0)
    return str(request.param)


def test_the_text_read_loads_what_the_checked_read_loads(tmp_path: Path, text_source: str) -> None:
    fail = _project(tmp_path / "fail", "fail")
    files = sorted(str(p) for p in (tmp_path / "fail" / "data" / "things").rglob("*.json"))
    sorted_files = json_files(tuple(files), "auto", "auto", fail=True)
    assert bool(sorted_files.docs) == (text_source == "bound")
    assert not sorted_files.fast
    assert [Path(p).name for p in sorted_files.plain] == ["vtab.json"]
    assert len(sorted_files.text_lines) > 10 and len(sorted_files.text_pretty) > 10
    run_plan(build_plan(load_pipeline(fail)))
    skip = _project(tmp_path / "skip", "skip")
    run_plan(build_plan(load_pipeline(skip)))
    a, b = tmp_path / "fail" / "warehouse.duckdb", tmp_path / "skip" / "warehouse.duckdb"
    assert _rows(b, "SELECT count(*) FROM _etl_rejects") == [(0,)]
    for table, records in (("staging_things", THINGS), ("staging_mapped", MAPPED)):
        count = _rows(a, f"SELECT count(*) FROM {table}")[0][0]
        # every record in 2 one-record files and 7 many-record files, 3 in pretty_mixed, 1 in vtab
        assert count == len(records) * 9 + 3 + 1, table
        assert _differences(a, b, table) == (0, 0, []), table
    # a few values spelled out, so that both reads agreeing on something wrong fails too
    assert _rows(a, "SELECT DISTINCT name FROM staging_things WHERE id = 2") == [("12.5",)]
    assert _rows(a, "SELECT DISTINCT id, typeof(id) FROM staging_things WHERE score = 1e308") == [
        (9007199254740993, "BIGINT")
    ]
    assert _rows(a, "SELECT DISTINCT upper_name, city, zip, first_tag, id_text FROM staging_mapped WHERE id = 1") == [
        ("Upper", "Oslo", 150, "a", "1")
    ]
    # keys match exactly: "ID" and "Name" are not "id" and "name"
    assert _rows(
        a, "SELECT count(*) FROM staging_things WHERE label = 'only label' AND id IS NULL AND name IS NULL"
    ) == [(9,)]


NOT_CLOSED = "not valid JSON: the object is not closed (cut short?)"
NO_VALUE = "no value in any column (the record is empty, or holds none of the keys the load reads)"
#: file (under data/), its bytes, and (line, reason) of the first bad record the fail run must name
BAD = {
    "truncated": ("things/bad.json", b'{"id": 10}\n{"id": 11, "name": "k\n', (2, NOT_CLOSED)),
    "not JSON": ("things/bad.json", b'{"id": 10}\nhello\n', (2, "not valid JSON")),
    "two objects on a line": ("things/bad.json", b'{"id": 10}{"id": 11}\n', (1, "not valid JSON")),
    "invalid UTF-8": ("things/bad.json", b'{"id": 10}\n{"name": "\xff"}\n', (2, "not valid UTF-8")),
    "null": ("things/bad.json", b'{"id": 10}\nnull\n', (2, "not a JSON object but null")),
    "empty object": ("things/bad.json", b'{"id": 10}\n{}\n', (2, NO_VALUE)),
    "no key read": ("things/bad.json", b'{"ID": 10}\n', (1, NO_VALUE)),
    "array line": ("things/bad.json", b'{"id": 1}\n[{"id": 10}]\n', (2, "not a JSON object but an array")),
    "a number": ("things/bad.json", b'{"id": 1}\n\n42\n', (3, "not a JSON object but a number")),
    "duplicate key": (
        "things/bad.json",
        b'{"id": 10, "zzz": 1, "zzz": 2}\n{"id": 11, "id": 12}\n',
        (2, 'duplicate key "id"'),
    ),
    "not a bigint": ("things/bad.json", b'{"id": "abc"}\n', (1, "column id: 'abc' is not BIGINT")),
    "too big for an integer": (
        "things/bad.json",
        b'{"id": 1, "count": 3000000000}\n',
        (1, "column count: '3000000000' is not INTEGER"),
    ),
    "not a date": ("things/bad.json", b'{"id": 1, "day": "2023-02-29"}\n', (1, "column day: '2023-02-29' is not DATE")),
    "not a boolean": ("things/bad.json", b'{"id": 1, "flag": "maybe"}\n', (1, "column flag: 'maybe' is not BOOLEAN")),
    "pretty, one bad": ("things/bad.json", _pretty({"id": 1}, {"id": "x"}), (4, "column id: 'x' is not BIGINT")),
    "pretty, cut short": ("things/bad.json", b'{\n  "id": 1\n}\n{\n  "id": 2\n', (4, NOT_CLOSED)),
    "pretty, null": ("things/bad.json", b'{\n  "id": 1\n}\nnull\n', (4, "not a JSON object but null")),
    "BOM inside": ("things/bad.json", b'{"id": 1}\n\xef\xbb\xbf{"id": 2}\n', (2, "not valid JSON")),
    "NUL after a record": ("things/bad.json", b'{"id": 1}\x00\n', (1, NOT_CLOSED)),
    "nested not an integer": (
        "mapped/bad.json",
        b'{"id": 1, "address": {"zip": "x"}}\n',
        (1, "column zip: 'x' is not INTEGER"),
    ),
    "not_null missing": (
        "mapped/bad.json",
        b'{"Name": "n"}\n',
        (1, "column id: missing or null, but declared not_null"),
    ),
    "key read twice, repeated": (
        "mapped/bad.json",
        b'{"id": 1, "address": {}, "address": {}}\n',
        (1, 'duplicate key "address"'),
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_record_fails_the_text_read_and_is_named_by_file_and_line(
    tmp_path: Path, name: str, text_source: str
) -> None:
    rel, data, (line, reason) = BAD[name]
    file = _project(tmp_path, "fail")
    run_plan(build_plan(load_pipeline(file)))
    before = _rows(tmp_path / "warehouse.duckdb", "SELECT count(*) FROM staging_things")
    (tmp_path / "data" / rel).write_bytes(data)
    sorted_files = json_files((str(tmp_path / "data" / rel),), "auto", "auto", fail=True)
    assert sorted_files.text_lines or sorted_files.text_pretty  # the case goes through the text read
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    message = str(failed.value)
    assert f"{tmp_path / 'data' / rel}:{line}: {reason}" in message, message
    assert "on_error: fail stops the run at the first" in message
    assert _rows(tmp_path / "warehouse.duckdb", "SELECT count(*) FROM staging_things") == before
    # skip agrees: the same record is the (first) reject
    shutil.copy(tmp_path / "pipeline.yaml", tmp_path / "fail.yaml")
    (tmp_path / "pipeline.yaml").write_text(PIPELINE.replace("ON_ERROR", "skip"))
    run_plan(build_plan(load_pipeline(tmp_path / "pipeline.yaml")), full_refresh=True)
    rejects = _rows(tmp_path / "warehouse.duckdb", "SELECT file, line, reason FROM _etl_rejects ORDER BY file, line")
    assert (str(tmp_path / "data" / rel), line) == rejects[0][:2] and str(rejects[0][2]).startswith(reason)


def test_bound_text_is_what_the_sniff_read_and_falls_back_when_it_cannot_be(tmp_path: Path) -> None:
    """The text handed to DuckDB is each file's bytes as UTF-8, paths and texts in the same order; a file that
    is not UTF-8, or holds a NUL, sends every file back to read_text (which then fails or reads as before)."""
    folder = tmp_path / "data"
    folder.mkdir()
    good = {"a.json": _lines({"id": 1}), "b.json": _pretty({"id": 2, "name": "ü"}), "c.json": b"\xef\xbb\xbf{}\n"}
    for rel, data in good.items():
        (folder / rel).write_bytes(data)
    paths = tuple(str(folder / rel) for rel in good)
    files = json_files(paths, "auto", "auto", fail=True)
    assert files.docs == {str(folder / rel): data.decode("utf-8") for rel, data in good.items()}
    for bad in (b'{"id": 1, "name": "\xff"}\n', b'{"id": 1}\x00\n'):
        (folder / "d.json").write_bytes(bad)
        files = json_files((*paths, str(folder / "d.json")), "auto", "auto", fail=True)
        assert files.docs == {} and len(files.text_lines) + len(files.text_pretty) == 4
    # under on_error: skip every file goes through the checked read: nothing is bound
    assert json_files(paths, "auto", "auto", fail=False).docs == {}


def test_a_run_binds_the_small_files_text_instead_of_reading_it_again(tmp_path: Path) -> None:
    from engine.targets.duckdb import DuckDBAdapter

    file = _project(tmp_path, "fail")
    executed: list[tuple[str, tuple[str, ...]]] = []
    original = DuckDBAdapter.execute

    def spy(self: DuckDBAdapter, sql: str, step: str | None = None, feed: object = None, bound: tuple = ()) -> object:  # type: ignore[type-arg]
        executed.append((sql, tuple(name for name, _ in bound)))
        return original(self, sql, step, feed, bound)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DuckDBAdapter, "execute", spy)
        run_plan(build_plan(load_pipeline(file)))
    text_reads = [(sql, names) for sql, names in executed if "json_transform" in sql and "INSERT" in sql]
    assert text_reads and all("$etl_lines_docs" in sql and "read_text" not in sql for sql, _ in text_reads)
    assert all("etl_lines_docs" in names for _, names in text_reads)
