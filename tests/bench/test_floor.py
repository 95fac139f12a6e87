"""The DuckDB floor (bench/floor.sql run by bench/run.py's FLOOR_RUNNER) builds the engine's tables: on the
real Sparkify data, every table equal both ways (EXCEPT ALL), so the benchmark's ratio compares equal work."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import load_bench

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "datasets" / "sparkify"
TABLES = ("staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time")


@pytest.mark.integration
@pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/datasets/sparkify")
def test_the_floor_builds_the_engines_tables_on_the_real_data(tmp_path: Path) -> None:
    floor_db = tmp_path / "floor.duckdb"
    subprocess.run(
        [
            sys.executable,
            "-c",
            str(load_bench("run").FLOOR_RUNNER),
            str(ROOT / "bench" / "floor.sql"),
            str(REAL),
            str(floor_db),
        ],
        check=True,
        timeout=300,
    )
    work = tmp_path / "engine"
    shutil.copytree(ROOT / "transforms", work / "transforms")
    shutil.copy2(ROOT / "pipeline.yaml", work / "pipeline.yaml")
    subprocess.run(
        [sys.executable, "-m", "engine", "run", "pipeline.yaml", "--var", f"data_root={REAL}"],
        check=True,
        timeout=300,
        cwd=work,
        capture_output=True,
    )
    engine_db = work / "warehouse.duckdb"
    con = duckdb.connect()
    con.execute(f"ATTACH '{floor_db}' AS f (READ_ONLY)")
    con.execute(f"ATTACH '{engine_db}' AS e (READ_ONLY)")
    listed = (
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'e' AND table_name = ? ORDER BY column_index"
    )
    for table in TABLES:
        columns = ", ".join(f'"{c}"' for (c,) in con.execute(listed, [table]).fetchall())
        e, f = f'SELECT {columns} FROM e."{table}"', f'SELECT {columns} FROM f."{table}"'
        one, two, rows = con.execute(
            f"SELECT (SELECT count(*) FROM ({e} EXCEPT ALL {f})), (SELECT count(*) FROM ({f} EXCEPT ALL {e})),"
            f' (SELECT count(*) FROM e."{table}")'
        ).fetchall()[0]
        assert (one, two) == (0, 0), table
        assert rows > 0, table
