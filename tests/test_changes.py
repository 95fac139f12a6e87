"""Which tables a run rebuilds and why: the decision alone, on the sample's graph."""

from __future__ import annotations

from test_selection import GRAPH

from engine.changes import decide

ALL = frozenset(GRAPH.tables)
HASHES = {t: f"h-{t}" for t in GRAPH.tables}


def test_nothing_changed_is_incremental() -> None:
    d = decide(GRAPH, ALL, HASHES, dict(HASHES), set(ALL))
    assert d.mode == "incremental" and not d.rebuild
    assert d.tables["staging_events"] == "updated (new files only)"


def test_one_dimension_rebuilds_only_itself() -> None:
    declared = {**HASHES, "users": "h-new"}
    d = decide(GRAPH, ALL, declared, dict(HASHES), set(ALL))
    assert d.mode == "partial" and d.rebuild == {"users"}
    assert d.tables["users"] == "rebuilt (definition changed)"
    assert sorted(d.kept) == sorted(ALL - {"users"})
    assert d.reason == "users definition changed; rebuilt 1, kept 6"


def test_changed_staging_rebuilds_its_downstream() -> None:
    declared = {**HASHES, "staging_songs": "h-new"}
    d = decide(GRAPH, ALL, declared, dict(HASHES), set(ALL))
    assert d.rebuild == {"staging_songs", "songplays", "songs", "artists"}
    assert d.tables["songs"] == "rebuilt (reads staging_songs, rebuilt)"
    assert d.tables["users"] == "kept (unchanged)"


def test_missing_and_new_tables_are_rebuilt() -> None:
    recorded = {t: h for t, h in HASHES.items() if t != "time"}
    d = decide(GRAPH, ALL, HASHES, recorded, set(ALL) - {"songs"})
    assert d.rebuild == {"time", "songs"}
    assert d.tables["songs"] == "rebuilt (missing from the warehouse)"
    assert d.tables["time"] == "rebuilt (not built by this pipeline before)"


def test_selection_bounds_the_rebuild() -> None:
    declared = {**HASHES, "staging_events": "h-new"}
    d = decide(GRAPH, frozenset({"staging_events", "users"}), declared, dict(HASHES), set(ALL))
    assert d.mode == "full" and d.rebuild == {"staging_events", "users"}
    assert set(d.tables) == {"staging_events", "users"}


def test_full_runs() -> None:
    assert decide(GRAPH, ALL, HASHES, dict(HASHES), set(ALL), full_refresh=True).reason == "--full-refresh"
    assert decide(GRAPH, ALL, HASHES, {}, set()).reason == "first run"
    d = decide(GRAPH, ALL, HASHES, dict(HASHES), set(ALL), incremental_ok="COPY reloads each source whole")
    assert d.mode == "full" and d.rebuild == ALL


def test_an_emptied_table_is_rebuilt_with_what_reads_it() -> None:
    d = decide(GRAPH, ALL, HASHES, dict(HASHES), set(ALL), emptied=frozenset({"staging_songs"}))
    assert d.mode == "partial" and "staging_songs" in d.rebuild
    assert d.tables["staging_songs"] == "rebuilt (empty and unlogged, as a crash leaves it)"
    assert d.tables["songs"] == "rebuilt (reads staging_songs, rebuilt)"
    assert d.tables["users"] == "kept (unchanged)"
