"""What a run reports: JSON events on stderr, run_results.json against its schema, plain progress lines
when nobody watches a terminal, a live line when someone does, and a total that is the wall time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
from conftest import ROOT
from helpers import make_project


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "run", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def summary_rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.split("│")[1:-1]]
            rows[cells[0]] = cells[1:]
    return rows


def test_json_events_match_the_summary(project_copy: Path) -> None:
    done = run("pipeline.yaml", "--log-format", "json", cwd=project_copy)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines()]  # every line is one JSON object
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    ends = [e for e in events if e["event"] == "step_end"]
    assert len(ends) == kinds.count("step_start")
    table = summary_rows(done.stdout)
    for e in ends:
        if e["check"] is not None:
            continue
        rows, seconds, status = table[e["step"]]
        assert status == e["status"]
        assert rows == (f"{e['rows']:,}" if e["rows"] is not None else "")
        assert float(seconds) == round(e["seconds"], 2) or abs(float(seconds) - e["seconds"]) <= 0.005
    loads = [e for e in ends if e["kind"] == "load"]
    inputs = {e["step"]: e for e in events if e["event"] == "step_input"}
    for e in loads:
        folder = (
            project_copy
            / "examples"
            / "sparkify"
            / "data"
            / {"load:staging_events": "log_data", "load:staging_songs": "song_data"}[e["step"]]
        )
        files = [f for f in folder.rglob("*.json") if f.is_file()]
        assert (e["files"], e["bytes"]) == (len(files), sum(f.stat().st_size for f in files))
        assert (inputs[e["step"]]["files"], inputs[e["step"]]["bytes"]) == (e["files"], e["bytes"])
    checks = [e for e in ends if e["check"] is not None]
    assert table[f"checks ({len(checks)})"][2] == f"{sum(e['status'] == 'pass' for e in checks)} passed"
    end = events[-1]
    total = next(v for k, v in table.items() if k.startswith("total"))
    assert float(total[1]) == round(end["seconds"], 2) and total[2] == end["status"] == "committed"
    assert end["checks"]["total"] == len(checks) and end["rows"] == sum(e["rows"] or 0 for e in ends)


def test_run_results_file_follows_its_schema(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "run_results.schema.json").read_text())
    file = make_project(tmp_path)
    assert run(str(file), cwd=tmp_path).returncode == 0
    data = json.loads((tmp_path / ".etl-engine" / "run_results.json").read_text())
    jsonschema.validate(data, schema)
    assert data["status"] == "committed" and data["checks"]["fail"] == 0
    assert {s["step"] for s in data["steps"]} >= {"load:staging_things", "transform:things", "publish"}
    # a failing run writes one too, where --results says, with the error
    (tmp_path / "data" / "part.json").write_text('{"id": 1, "name": "a", "kind": "x"}\n{"id": 1, "name": "b"}\n')
    done = run(str(file), "--full-refresh", "--results", "out/results.json", cwd=tmp_path)
    assert done.returncode == 1
    failed = json.loads((tmp_path / "out" / "results.json").read_text())
    jsonschema.validate(failed, schema)
    assert failed["status"] == "rolled back" and failed["checks"]["fail"] >= 1
    assert "primary_key_unique_things" in failed["error"]


def test_piped_progress_is_plain_lines_once_per_step(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    done = run(str(file), cwd=tmp_path)
    assert done.returncode == 0
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", done.stderr + done.stdout)  # no escape codes, no \r
    lines = done.stderr.splitlines()[1:]  # after "running mini on local (...)"
    stepped = [line.split()[1] for line in lines if not line.lstrip().startswith("note")]
    assert len(stepped) == len(set(stepped)) and "transform:things" in stepped and "publish" in stepped


def test_terminal_shows_a_live_line_with_elapsed_time(tmp_path: Path) -> None:
    import pty

    file = make_project(tmp_path)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "run", str(file)],
        cwd=tmp_path,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "150", "TERM": "xterm"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(120)
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode(errors="replace"))
    assert proc.returncode == 0
    assert re.search(r"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \S+ +\d+\.\ds +step \d+ of \d+", text), text[-2000:]
    size = (tmp_path / "data" / "part.json").stat().st_size
    assert re.search(rf"load:staging_things +\d+\.\ds +1 file, {size} bytes", text), text[-2000:]
    # finished steps are not printed above the live line: the summary names each step once
    printed = [line for line in re.split(r"\r?\n", text) if not re.search("[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]", line)]
    assert sum("transform:things" in line for line in printed) == 1


def test_total_is_the_wall_time(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    t0 = time.perf_counter()
    done = run(str(file), cwd=tmp_path)
    wall = time.perf_counter() - t0
    assert done.returncode == 0
    rows = summary_rows(done.stdout)
    total = float(next(v for k, v in rows.items() if k.startswith("total"))[1])
    parts = sum(float(v[1]) for k, v in rows.items() if not k.startswith("total") and v[1])
    assert abs(parts - total) <= 0.01 * len(rows)  # steps, checks and phases add up to the total
    assert wall - 1.0 <= total <= wall  # what is left: interpreter teardown after the summary
    assert {"startup (read the pipeline, plan)", "prepare (connect, lock, read state)"} <= set(rows)


def test_a_failed_run_in_json_mode_keeps_stderr_json(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    (tmp_path / "data" / "part.json").write_text('{"id": 1, "name": "a", "kind": "x"}\n{"id": 1, "name": "b"}\n')
    done = run(str(file), "--log-format", "json", cwd=tmp_path)
    assert done.returncode == 1
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert [e["event"] for e in events[-2:]] == ["run_end", "error"]
    assert events[-2]["status"] == "rolled back" and "primary_key_unique_things" in events[-1]["message"]
    assert events[-1]["exit_code"] == 1
