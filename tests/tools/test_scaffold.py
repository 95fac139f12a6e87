"""`etl-engine init`: what it drafts from real folders must validate as written and load on a run.

Each test builds a small folder of one layout, runs init, and then holds the result to the
engine's own standards: ``load_pipeline`` + ``build_plan`` accept it, and ``etl-engine run``
loads exactly the rows the files hold (counted here with the stdlib, not with DuckDB).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import SHARED
from typer.testing import CliRunner, Result

from engine.cli import app
from engine.config import load_pipeline
from engine.errors import UsageError
from engine.plan import build_plan
from engine.tools.scaffold import init_pipeline
from engine.tools.scaffold.discover import stem_pattern
from engine.tools.scaffold.model import DraftColumn, DraftSource
from engine.tools.scaffold.naming import column_name, portable_type
from engine.tools.scaffold.sniff import Sniffer

SPARKIFY = SHARED / "sparkify"
MOVIELENS = SHARED / "movielens"


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _validates(file: Path) -> dict[str, object]:
    """The file passes what `etl-engine validate` runs; returns the parsed YAML."""
    build_plan(load_pipeline(file))
    data: dict[str, object] = yaml.safe_load(file.read_text(encoding="utf-8"))
    return data


def _run_counts(file: Path) -> dict[str, int]:
    done = _cli("run", str(file))
    assert done.exit_code == 0, done.output
    tables = load_pipeline(file).tables
    con = duckdb.connect(str(file.parent / "warehouse.duckdb"), read_only=True)
    try:
        return {t: con.execute(f'select count(*) from "{t}"').fetchall()[0][0] for t in tables}
    finally:
        con.close()


def _uncommented(file: Path) -> Path:
    """The file with its star and checks sketches uncommented, as the header tells the user to."""
    lines = [
        re.sub(r"^# ((?:star|checks):$|  .*)$", r"\1", line) for line in file.read_text(encoding="utf-8").splitlines()
    ]
    out = file.with_name("full.yaml")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


ROWS = [{"id": i, "name": f"n{i}", "score": i * 1.5, "day": f"2024-01-{i + 1:02d}"} for i in range(7)]


def _ndjson(root: Path) -> int:
    for part in range(3):
        _write(root / "events" / f"2024-01-0{part + 1}-events.json", "".join(json.dumps(r) + "\n" for r in ROWS))
    return 3 * len(ROWS)


def _pretty_concatenated(root: Path) -> int:
    # one pretty-printed object per file, and one file holding two (as in the Sparkify song data)
    for i, r in enumerate(ROWS[:4]):
        _write(root / "songs" / "A" / f"TR{i}AB12.json", json.dumps(r, indent=2))
    _write(root / "songs" / "B" / "TR9ZZ.json", json.dumps(ROWS[4], indent=2) + "\n" + json.dumps(ROWS[5], indent=4))
    return 6


def _array(root: Path) -> int:
    _write(root / "things" / "all.json", json.dumps(ROWS, indent=1))
    return len(ROWS)


def _csv_semicolon(root: Path) -> int:
    lines = ["id;label;price;day"] + [f'{r["id"]};"a;{r["name"]}";{r["score"]};{r["day"]}' for r in ROWS]
    _write(root / "sales.csv", "\r\n".join(lines) + "\r\n")
    return len(ROWS)


def _csv_gzip(root: Path) -> int:
    (root / "in").mkdir(parents=True)
    for name in ("users_1.csv.gz", "users_2.csv.gz"):
        with gzip.open(root / "in" / name, "wt", encoding="utf-8") as f:
            f.write("user_id,first name,signup\n" + "".join(f"{r['id']},{r['name']},{r['day']}\n" for r in ROWS))
    return 2 * len(ROWS)


def _gzip_by_magic(root: Path) -> int:
    root.mkdir(parents=True)
    with gzip.open(root / "logs.json", "wt", encoding="utf-8") as f:
        f.write("".join(json.dumps(r) + "\n" for r in ROWS))
    return len(ROWS)


def _parquet(root: Path) -> int:
    (root / "pq").mkdir(parents=True)
    con = duckdb.connect()
    for part, n in ((1, 100), (2, 50)):
        target = (root / "pq" / f"part-{part:04d}.parquet").as_posix()
        con.execute(
            f"copy (select range as id, 'n' || range as name, cast(range as decimal(10, 2)) as amount, "
            f"date '2024-01-01' + range::int as day, {{'x': range}} as nested from range({n})) "
            f"to '{target}' (format parquet)"
        )
    con.close()
    return 150


LAYOUTS: dict[str, tuple[Callable[[Path], int], dict[str, object]]] = {
    "ndjson": (_ndjson, {"format": "json", "path": "{{ data_root }}/events"}),
    "pretty_concatenated": (_pretty_concatenated, {"format": "json", "path": "{{ data_root }}/songs"}),
    "array": (_array, {"format": "json"}),
    "csv_semicolon": (
        _csv_semicolon,
        {"format": "csv", "delimiter": ";", "quote": '"', "header": True, "path": "{{ data_root }}"},
    ),
    "csv_gzip": (_csv_gzip, {"format": "csv", "delimiter": ",", "header": True}),
    "gzip_by_magic": (_gzip_by_magic, {"format": "json", "compression": "gzip"}),
    "parquet": (_parquet, {"format": "parquet"}),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_layout_validates_and_loads_every_row(tmp_path: Path, layout: str) -> None:
    make, expected_source = LAYOUTS[layout]
    rows = make(tmp_path / "data")
    _write(tmp_path / "data" / "README.md", "not data")
    result = init_pipeline(Path(tmp_path / "data"), tmp_path / "pipeline.yaml")
    assert [s.format for s in result.inspection.sources] == [expected_source["format"]]
    doc = _validates(tmp_path / "pipeline.yaml")
    assert doc["vars"] == {"data_root": (tmp_path / "data").as_posix()}  # absolute given, absolute kept
    assert doc["targets"] == {"local": {"type": "duckdb", "path": "warehouse.duckdb"}}
    assert "star" not in doc and "checks" not in doc
    ((name, source),) = doc["sources"].items()  # type: ignore[attr-defined]
    assert {k: source[k] for k in expected_source} == expected_source
    counts = _run_counts(tmp_path / "pipeline.yaml")
    assert counts == {f"staging_{name}": rows}
    _validates(_uncommented(tmp_path / "pipeline.yaml"))


def test_types_names_and_the_jsonpaths_mapping(tmp_path: Path) -> None:
    """Keys become lower snake_case columns, and a JSONPaths file maps them back by position."""
    record = {
        "eventId": 7,
        "user name": "Ann",
        "2nd": True,
        "ts": "2024-01-31 10:00:00",
        "props": {"a": [1]},
        "it's": "x",
        "amount": 2.5,
        "empty": None,
    }
    _write(tmp_path / "data" / "ev" / "a.json", json.dumps(record) + "\n")
    init_pipeline(tmp_path / "data", tmp_path / "out" / "p.yaml")
    doc = _validates(tmp_path / "out" / "p.yaml")
    source = doc["sources"]["ev"]  # type: ignore[index]
    assert source["jsonpaths"] == "p.ev.jsonpaths.json"
    columns = doc["staging"]["staging_ev"]["columns"]  # type: ignore[index]
    assert columns == {
        "event_id": "bigint",
        "user_name": "varchar",
        "_2nd": "boolean",
        "ts": "timestamp",
        "props": "varchar",
        "it_s": "varchar",
        "amount": "double",
        "empty": "varchar",
    }
    paths = json.loads((tmp_path / "out" / "p.ev.jsonpaths.json").read_text(encoding="utf-8"))["jsonpaths"]
    assert paths == [
        "$['eventId']",
        "$['user name']",
        "$['2nd']",
        "$['ts']",
        "$['props']",
        '$["it\'s"]',
        "$['amount']",
        "$['empty']",
    ]
    text = (tmp_path / "out" / "p.yaml").read_text(encoding="utf-8")
    assert '"user name" in the files' in text and "nested; loaded as JSON text" in text
    _run_counts(tmp_path / "out" / "p.yaml")
    con = duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True)
    row = con.execute('select "user_name", "_2nd", "it_s", "props" from staging_ev').fetchall()
    con.close()
    assert row == [("Ann", True, "x", '{"a":[1]}')]


def test_grouping_by_folder_name_pattern_and_csv_header(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _write(data / "sales_2023.csv", "id,amount\n1,2.5\n")
    _write(data / "sales_2024.csv", "id,amount\n2,3.5\n3,1\n")
    _write(data / "mixed" / "orders.csv", "order_id,total\n1,2\n")
    _write(data / "mixed" / "customers.csv", "customer_id,name,on\n1,x,true\n")
    _write(data / "mixed" / "extra.json", '{"a": 1}\n')
    _write(data / "_SUCCESS", "")
    _write(data / "pipeline.events.jsonpaths.json", '{"jsonpaths": ["$.a"]}')
    result = init_pipeline(data, tmp_path / "pipeline.yaml")
    skipped = {s.rel: s.reason for s in result.inspection.skipped}
    assert skipped == {"_SUCCESS": "hidden or bookkeeping file", "pipeline.events.jsonpaths.json": "a JSONPaths file"}
    doc = _validates(tmp_path / "pipeline.yaml")
    sources = doc["sources"]
    assert isinstance(sources, dict)
    assert {n: (s["path"], s["format"], s.get("include")) for n, s in sources.items()} == {
        "sales": ("{{ data_root }}", "csv", "sales_*.csv"),
        "mixed_csv_customers": ("{{ data_root }}/mixed", "csv", "customers.csv"),
        "mixed_csv_orders": ("{{ data_root }}/mixed", "csv", "orders.csv"),
        "mixed_json": ("{{ data_root }}/mixed", "json", None),  # the default globs pick the right files
    }
    assert doc["staging"]["staging_mixed_csv_customers"]["columns"] == {  # type: ignore[index]
        "customer_id": "bigint",
        "name": "varchar",
        "on": "boolean",
    }
    counts = _run_counts(tmp_path / "pipeline.yaml")
    assert counts == {
        "staging_sales": 3,
        "staging_mixed_csv_customers": 1,
        "staging_mixed_csv_orders": 1,
        "staging_mixed_json": 1,
    }


def test_rehearsal_widens_only_what_does_not_load() -> None:
    src = DraftSource("s", "", "csv", [], columns=[DraftColumn("id", "bigint"), DraftColumn("day", "date")])

    def load(cols: list[DraftColumn]) -> str:
        if any(c.type == "date" for c in cols):
            return "select cast('01/31/2020' as date)"
        return "select 1"

    Sniffer().rehearse(src, load)
    assert [(c.name, c.type) for c in src.columns] == [("id", "bigint"), ("day", "varchar")]
    assert src.notes and src.notes[0].startswith("dates, times and booleans widened to varchar")


def test_small_helpers() -> None:
    assert stem_pattern("2018-11-30-events") == "*-*-*-events"
    assert stem_pattern("TRAAAAK128F9318786") == "*"
    assert stem_pattern("part-00001-c000.snappy") == "part-*-*.snappy"
    assert [column_name(k, 0) for k in ("firstName", "first name", "9lives", "é", "", "userID", "HTTPStatus")] == [
        "first_name",
        "first_name",
        "_9lives",
        "e",
        "column_1",
        "user_id",
        "http_status",
    ]
    assert portable_type("DECIMAL(18,3)") == ("decimal(18,3)", None)
    assert portable_type("TIMESTAMP WITH TIME ZONE") == ("timestamptz", None)
    assert portable_type("INTEGER[]")[0] == "varchar"
    assert portable_type("TIME") == ("varchar", "time in the files; loaded as text")


def test_sparkify_finds_the_log_and_song_data(tmp_path: Path) -> None:
    if not SPARKIFY.is_dir():
        pytest.skip(f"{SPARKIFY} is not there")
    result = init_pipeline(SPARKIFY, tmp_path / "pipeline.yaml")
    assert result.inspection.data_files == 1973
    assert {s.rel: s.reason for s in result.inspection.skipped}["log_json_path.json"] == "a JSONPaths file"
    doc = _validates(tmp_path / "pipeline.yaml")
    assert doc["sources"] == {
        "log_data": {
            "description": doc["sources"]["log_data"]["description"],  # type: ignore[index]
            "path": "{{ data_root }}/log_data",
            "format": "json",
            "jsonpaths": "pipeline.log_data.jsonpaths.json",
        },
        "song_data": {
            "description": doc["sources"]["song_data"]["description"],  # type: ignore[index]
            "path": "{{ data_root }}/song_data",
            "format": "json",
        },
    }
    staging = doc["staging"]
    assert isinstance(staging, dict)
    assert list(staging["staging_log_data"]["columns"]) == [
        "artist",
        "auth",
        "first_name",
        "gender",
        "item_in_session",
        "last_name",
        "length",
        "level",
        "location",
        "method",
        "page",
        "registration",
        "session_id",
        "song",
        "status",
        "ts",
        "user_agent",
        "user_id",
    ]
    assert staging["staging_log_data"]["columns"]["user_id"] == "varchar"
    assert staging["staging_log_data"]["columns"]["ts"] == "bigint"
    assert set(staging["staging_song_data"]["columns"]) == {
        "artist_id",
        "artist_latitude",
        "artist_location",
        "artist_longitude",
        "artist_name",
        "duration",
        "num_songs",
        "song_id",
        "title",
        "year",
    }
    # the camelCase keys stay as they are in the files: the mapping init writes is the dataset's own
    written = json.loads((tmp_path / "pipeline.log_data.jsonpaths.json").read_text(encoding="utf-8"))["jsonpaths"]
    theirs = json.loads((SPARKIFY / "log_json_path.json").read_text(encoding="utf-8"))["jsonpaths"]
    assert written == theirs
    assert list(tmp_path.glob("*.jsonpaths.json")) == [tmp_path / "pipeline.log_data.jsonpaths.json"]
    _validates(_uncommented(tmp_path / "pipeline.yaml"))


def test_movielens_one_source_per_file_loads_every_record(tmp_path: Path) -> None:
    if not MOVIELENS.is_dir():
        pytest.skip(f"{MOVIELENS} is not there")
    init_pipeline(MOVIELENS, tmp_path / "pipeline.yaml")
    doc = _validates(tmp_path / "pipeline.yaml")
    sources = doc["sources"]
    assert isinstance(sources, dict)
    assert {n: s["include"] for n, s in sources.items()} == {
        "links": "links.csv",
        "movies": "movies.csv",
        "ratings": "ratings.csv",
        "tags": "tags.csv",
    }
    assert all((s["header"], s["delimiter"], s["quote"]) == (True, ",", '"') for s in sources.values())
    assert doc["staging"]["staging_links"]["columns"]["imdb_id"] == "varchar"  # type: ignore[index]
    expected = {}
    for name in sources:
        with (MOVIELENS / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            expected[f"staging_{name}"] = sum(1 for _ in csv.reader(f)) - 1
    assert _run_counts(tmp_path / "pipeline.yaml") == expected
    # the sketches, uncommented, validate and build (the dimension's key and the fact's FK hold)
    full = _uncommented(tmp_path / "pipeline.yaml")
    _validates(full)
    assert _run_counts(full)["fact_ratings"] == expected["staging_ratings"]


def test_cli_summary_overwrite_refusal_and_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _ndjson(tmp_path / "data")
    done = _cli("init", "data", "--output", "proj/pipeline.yaml")
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    assert "1 source(s)" in done.stderr and "events" in done.stderr and "4 columns" in done.stderr
    text = (tmp_path / "proj" / "pipeline.yaml").read_text(encoding="utf-8")
    assert 'data_root: "../data"' in text  # relative to the pipeline's folder
    assert text.startswith("# Drafted by `etl-engine init data`: inspected 3 file(s)\n")
    assert _cli("validate", "proj/pipeline.yaml").exit_code == 0

    (tmp_path / "proj" / "pipeline.yaml").write_text("mine", encoding="utf-8")
    done = _cli("init", "data", "--output", "proj/pipeline.yaml")
    assert done.exit_code == 2
    assert "proj/pipeline.yaml already exists; pass --force to overwrite it" in done.stderr
    assert (tmp_path / "proj" / "pipeline.yaml").read_text(encoding="utf-8") == "mine"
    done = _cli("init", "data", "--output", "proj/pipeline.yaml", "--force")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "proj" / "pipeline.yaml").read_text(encoding="utf-8") == text


def test_empty_and_missing_folders_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "empty" / "notes.txt", "nothing to load")
    done = _cli("init", "empty")
    assert done.exit_code == 2
    assert "error: no data files in empty" in done.stderr and "notes.txt (not a data file)" in done.stderr
    done = _cli("init", "missing")
    assert done.exit_code == 2
    assert "error: folder not found: missing" in done.stderr
    assert "Traceback" not in done.output
    assert not (tmp_path / "pipeline.yaml").exists()
    with pytest.raises(UsageError, match="records are not JSON objects"):
        _write(tmp_path / "scalars" / "a.json", "[1, 2, 3]")
        init_pipeline(tmp_path / "scalars", tmp_path / "p.yaml")
