"""What a run prints when its output is a log, not a terminal (engine/output.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import make_project

# runs the command in a fresh interpreter, then says on the last line of stderr whether rich was imported
PROBE = (
    "import sys\n"
    "from engine.cli import main\n"
    "sys.argv = ['etl-engine', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print('rich imported:', 'rich' in sys.modules, file=sys.stderr)\n"
)


def test_a_piped_run_prints_its_summary_without_importing_rich(tmp_path: Path) -> None:
    """rich costs about 40 ms of a small run; a log needs none of it, and reads the same."""
    file = make_project(tmp_path)
    done = subprocess.run([sys.executable, "-c", PROBE, "run", str(file)], capture_output=True, text=True, timeout=120)
    assert done.stderr.splitlines()[-1] == "rich imported: False", done.stderr
    assert done.stderr.startswith("running "), done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("┏") and lines[2].startswith("┃ step")
    body = {line.split("│")[1].strip(): line for line in lines if line.startswith("│")}
    assert "transform:things" in body and "committed" in body[next(k for k in body if k.startswith("total"))]
    assert "tables:" in lines


def test_a_failed_check_is_listed_in_plain_text_with_its_failing_rows(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    (tmp_path / "data" / "part.json").write_text('{"id": 1, "name": "a", "kind": "x"}\n{"id": 1, "name": "b"}\n')
    done = subprocess.run([sys.executable, "-c", PROBE, "run", str(file)], capture_output=True, text=True, timeout=120)
    assert done.stderr.splitlines()[-1] == "rich imported: False", done.stderr
    assert "checks not passed" in done.stdout and "rolled back" in done.stdout
    assert "failing rows of primary_key_unique_things" in done.stdout, done.stdout
