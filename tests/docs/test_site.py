"""The docs site as files: a page per table and source, links that resolve, nothing fetched from
the network, run history once the warehouse exists, and no warehouse created to find that out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from docs.site_expected import expected

from engine.config import load_pipeline
from engine.docs.site import build_site
from engine.plan import build_plan
from engine.runner import run_plan


def _docs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "docs", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_pages_links_and_offline(project_copy: Path) -> None:
    done = _docs("pipeline.yaml", "--out", "site", cwd=project_copy)
    assert done.returncode == 0, done.stderr
    site = project_copy / "site"
    p = load_pipeline(project_copy / "pipeline.yaml")
    assert {f.stem for f in (site / "tables").iterdir()} == set(p.tables)
    assert {f.stem for f in (site / "sources").iterdir()} == set(p.sources)
    assert not (project_copy / "warehouse.duckdb").exists()  # history is read only where a warehouse is
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:href|src)="([^"]+)"', html):
            assert not re.match(r"(?i)(https?:)?//", ref), f"{page}: {ref} needs the network"
            if ref.startswith(("data:", "#")):
                continue
            assert (page.parent / ref).resolve().is_file(), f"{page}: broken link {ref}"


def test_svg_elements_match_the_pipeline(project_copy: Path, tmp_path: Path) -> None:
    plan = build_plan(load_pipeline(project_copy / "pipeline.yaml"))
    build_site(plan, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    lineage_part, er_part = html.split('id="lineage-svg"')[1], html.split('id="er-svg"')[1]
    want = expected(project_copy / "pipeline.yaml")
    lineage_part = lineage_part.split("</svg>")[0]
    er_part = er_part.split("</svg>")[0]
    assert set(re.findall(r'class="node[^"]*" data-node="([^"]+)"', lineage_part)) == want["nodes"]
    assert set(re.findall(r'class="edge" data-from="([^"]+)" data-to="([^"]+)"', lineage_part)) == want["edges"]
    assert set(re.findall(r'class="node[^"]*" data-node="([^"]+)"', er_part)) == want["er_nodes"]
    assert set(re.findall(r'class="edge fk" data-from="([^"]+)" data-to="([^"]+)"', er_part)) == want["fks"]


def test_history_after_runs(project_copy: Path, tmp_path: Path) -> None:
    file = project_copy / "pipeline.yaml"
    results = [run_plan(build_plan(load_pipeline(file))) for _ in range(2)]
    site = build_site(build_plan(load_pipeline(file)), tmp_path / "site")
    assert site.history_note == ""
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for r in results:
        assert r.run_id in index
    page = (tmp_path / "site" / "tables" / "songplays.html").read_text(encoding="utf-8")
    built = next(s for s in results[0].steps if s.step.id == "transform:songplays")
    assert f'<td class="num">{built.rows:,}</td>' in page
    check = next(s for s in results[-1].steps if s.step.id == "check:primary_key_unique_songplays")
    assert f'<span class="status {check.status}">{check.status}</span>' in page
    assert "description" in page and "One row per NextSong event" in page


def test_index_counts_rows_of_the_last_full_run(project_copy: Path, tmp_path: Path) -> None:
    file = project_copy / "pipeline.yaml"
    first = run_plan(build_plan(load_pipeline(file)))
    again = run_plan(build_plan(load_pipeline(file)))  # incremental: writes nothing new
    assert again.incremental
    build_site(build_plan(load_pipeline(file)), tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    rows = next(s.rows for s in first.steps if s.step.id == "transform:songplays")
    assert re.search(rf'songplays</a></td>[^\n]*\n<td class="num">\d+</td><td class="num">{rows:,}</td>', index)


def test_serve_on_a_taken_port_is_one_line_of_error(project_copy: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _docs("pipeline.yaml", "--serve", "--port", str(port), cwd=project_copy)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
