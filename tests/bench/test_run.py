"""Tests for bench/run.py's pure helpers on made-up numbers: no benchmark runs, no databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import load_bench

ROOT = Path(__file__).resolve().parents[2]


run = load_bench("run")


def result(size: str, contender: str, seconds: list[float], rss: int = 100 * 2**20, **kw: object) -> object:
    return run.Result(size, contender, seconds=seconds, peak_rss=[rss] * len(seconds), **kw)


def test_spread_is_median_min_max() -> None:
    assert run.spread([3.0, 1.0, 2.0]) == (2.0, 1.0, 3.0)
    assert run.spread([4.0, 1.0]) == (2.5, 1.0, 4.0)
    with pytest.raises(ValueError):
        run.spread([])


def test_extrapolate_keeps_start_up_and_scales_the_load() -> None:
    # 2 s of start-up, 8 s loading 1,000 rows -> 100,000 rows take 800 s more
    assert run.extrapolate(10.0, 8.0, 1_000, 100_000) == pytest.approx(802.0)
    with pytest.raises(ValueError):
        run.extrapolate(1.0, 1.0, 0, 10)


def test_runs_within_budget() -> None:
    assert run.runs_within(10.0, 3, 300.0) == 3
    assert run.runs_within(150.0, 3, 300.0) == 2
    assert run.runs_within(700.0, 3, 300.0) == 1


def test_count_mismatches_names_table_and_sources() -> None:
    same = {t: 5 for t in run.TABLES}
    assert run.count_mismatches({"engine": same, "floor": dict(same)}) == []
    assert run.count_mismatches({"engine": same}) == []
    off = {**same, "users": 4}
    assert run.count_mismatches({"engine": same, "floor": dict(same), "dbt": off}) == ["users: engine has 5, dbt has 4"]


def test_result_rows_ratio_to_floor_and_sampled_note() -> None:
    rows = run.result_rows(
        [
            result("1m", "floor", [10.0, 12.0, 11.0]),
            result("1m", "engine-duckdb", [22.0, 20.0, 21.0], rss=3 * 2**30),
            result("1m", "rowbyrow", [4000.0], sample=0.01, measured=[41.0]),
            run.Result("1m", "dbt-duckdb", skipped="dbt not installed"),
        ]
    )
    # size, contender, runs, median, range, ratio, CPU seconds, CPU ratio, peak RSS, load average, note
    assert rows[0][1:9] == ["floor", "3", "11.0", "10.0-12.0", "1.00x", "11.00", "-", "100 MiB"]
    assert rows[1][1:9] == ["engine-duckdb", "3", "21.0", "20.0-22.0", "1.91x", "21.00", "-", "3.00 GiB"]
    assert rows[2][5] == "363.64x" and "1.00% sample" in rows[2][-1] and "measured 41.0 s" in rows[2][-1]
    assert rows[3][2] == "0" and rows[3][-1] == "dbt not installed"


def test_postgres_contenders_are_measured_against_floor_postgres() -> None:
    results = [
        result("1m", "floor", [10.0]),
        result("1m", "floor-postgres", [20.0], cpu=[1.0]),
        result("1m", "engine-postgres", [30.0], cpu=[8.0]),
    ]
    rows = run.result_rows(results)
    assert rows[1][5] == "1.00x" and rows[2][5] == "1.50x"
    assert rows[2][7] == "8.0 (8.00x)"
    goals = {g: (status, numbers) for g, status, numbers in run.evaluate_goals(results, {})}
    assert goals["engine-postgres no slower than floor-postgres at 1m"] == ("NOT met", "30.00 s vs 20.00 s = 1.50x")
    assert "engine-postgres no slower than floor-postgres at 10m" not in goals
    assert run.parse_args(["--contenders", "e,f"]).contenders == ["engine-postgres", "floor-postgres"]


def test_markdown_table_pads_columns() -> None:
    text = run.markdown_table(["a", "long header"], [["xyz", "1"]])
    assert text.splitlines() == ["| a   | long header |", "|-----|-------------|", "| xyz | 1           |"]


def test_goals_report_met_and_not_met() -> None:
    results = [
        result("real", "floor", [1.0]),
        result("real", "engine-duckdb", [1.5]),
        result("real", "dbt-duckdb", [2.0]),
        result("10m", "floor", [100.0]),
        result("10m", "engine-duckdb", [105.0], rss=4 * 10**9),
    ]
    goals = {
        g: (status, numbers)
        for g, status, numbers in run.evaluate_goals(
            results, {"validate cold": 0.2, "validate warm": 0.1, "dry-run cold": 0.5}
        )
    }
    assert goals["engine <= 1.10x the floor at 10m"][0] == "met"
    assert goals["engine <= 1.50x the floor at real"] == ("met", "1.50 s vs 1.00 s = 1.50x")
    assert goals[">= 2x faster than dbt-duckdb on real data"][0] == "NOT met"
    assert goals["no slower than dbt-duckdb at 10m"][0] == "not measured"
    assert goals["engine peak memory at 10m <= 3 GB"][0] == "NOT met"
    assert goals["validate <= 0.3 s (no stored answer)"][0] == "met"
    assert goals["validate <= 0.3 s (stored answer replayed)"] == ("met", "0.100 s (median of 5)")
    assert goals["dry-run <= 0.3 s (no stored answer)"][0] == "NOT met"
    assert goals["dry-run <= 0.3 s (stored answer replayed)"][0] == "not measured"


def test_importtime_summary_groups_by_package() -> None:
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:      1000 |       1000 |     sqlglot.errors",
            "import time:      3000 |       4000 |   sqlglot",
            "import time:       500 |       4500 | engine.plan",
            "import time:       200 |        200 | yaml",
        ]
    )
    entries = run.parse_importtime(stderr)
    assert entries[0] == (1000, 1000, 2, "sqlglot.errors")
    assert run.importtime_summary(entries, top=2) == [
        ["sqlglot", "4.0", "2"],
        ["engine", "0.5", "1"],
        ["(all imports)", "4.7", "4"],
    ]


def test_dbt_models_match_the_transforms() -> None:
    assert run.dbt_drift() == []


def test_parse_args_names_and_sizes() -> None:
    a = run.parse_args(["--sizes", "real,1m", "--contenders", "a,floor,e", "--runs", "2"])
    assert a.sizes == ["real", "1m"]
    assert a.contenders == ["engine-duckdb", "floor", "engine-postgres"]
    with pytest.raises(SystemExit):
        run.parse_args(["--sizes", "5m"])


def test_reaped_cpu_reads_cutime_and_cstime() -> None:
    # pid (comm) state ppid ... utime stime cutime cstime: fields 14-17 of proc(5)
    stat = "7305 (post gres) S 1 7305 7305 0 -1 4194560 100 200 0 0 6 45 55024 8567 20 0 1 0 99 0"
    assert run.reaped_cpu(stat, 100) == pytest.approx(635.91)


def test_floor_capped_runs_at_the_engine_default_memory_limit() -> None:
    from engine.targets.duckdb import DEFAULT_MEMORY_LIMIT

    assert run.engine_memory_limit() == DEFAULT_MEMORY_LIMIT
    assert run.CONTENDERS["g"] == "floor-capped" and run.floor_of("floor-capped") == "floor"
