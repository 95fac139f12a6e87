"""etl-engine graph: every node and edge of the lineage, in each format."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from docs.site_expected import expected


def graph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "graph", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_dot_has_every_node_and_edge() -> None:
    done = graph("pipeline.yaml", "--format", "dot")
    assert done.returncode == 0, done.stderr
    want = expected(ROOT / "pipeline.yaml")
    assert set(re.findall(r'^    "([^"]+)" \[', done.stdout, re.M)) == want["nodes"]
    assert set(re.findall(r'^    "([^"]+)" -> "([^"]+)";', done.stdout, re.M)) == want["edges"]


def test_mermaid_has_every_edge() -> None:
    done = graph("pipeline.yaml", "-f", "mermaid")
    assert done.returncode == 0 and done.stdout.startswith("flowchart LR\n")
    edges = set(re.findall(r"^    (\w+) --> (\w+)$", done.stdout, re.M))
    assert edges == {(a.replace(":", "__"), b.replace(":", "__")) for a, b in expected(ROOT / "pipeline.yaml")["edges"]}


def test_text_tree_shows_each_node_once_expanded() -> None:
    done = graph("pipeline.yaml")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    p = expected(ROOT / "pipeline.yaml")
    for node in p["nodes"]:
        name = str(node).split(":", 1)[1]
        assert any(re.search(rf"(^|── ){name}\b", line) for line in lines), name
    assert lines[0] == "log_data [source]"
    assert any("(see above)" in line for line in lines)  # songplays reads both staging tables


def test_unknown_format_is_bad_input(tmp_path: Path) -> None:
    done = graph("pipeline.yaml", "--format", "svg")
    assert done.returncode == 2 and "unknown graph format 'svg'" in done.stderr and "Traceback" not in done.stderr


def test_checks_option_adds_a_node_per_check_after_its_tables() -> None:
    from engine.config import load_pipeline
    from engine.key_checks import key_checks

    done = graph("pipeline.yaml", "--format", "dot", "--checks")
    assert done.returncode == 0, done.stderr
    p = load_pipeline(ROOT / "pipeline.yaml")
    checks = [*key_checks(p), *p.checks]
    nodes = set(re.findall(r'^    "([^"]+)" \[', done.stdout, re.M))
    assert nodes == expected(ROOT / "pipeline.yaml")["nodes"] | {f"check:{c.name}" for c in checks}
    edges = set(re.findall(r'^    "([^"]+)" -> "([^"]+)";', done.stdout, re.M))
    for c in checks:
        assert (f"table:{c.table}", f"check:{c.name}") in edges
        if c.to_table:
            assert (f"table:{c.to_table}", f"check:{c.name}") in edges
    # songplays_every_play compares songplays with staging_events (its equals_sql reads it)
    assert ("table:staging_events", "check:songplays_every_play") in edges
