"""Issue "nothing lost, nothing let in, part 2": hostile folders, paths, names and faults, through the real CLI.

Each test runs ``python -m engine`` in a subprocess, as a user meets the engine, on a small project in
tmp (tests/helpers.py's MINIMAL bent one way) and asserts the exit code and what is said.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from helpers import MINIMAL, make_project


def cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The engine in its own process: this checkout's, unless PYTHONPATH names another."""
    full = {"PYTHONPATH": str(ROOT), **os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full)


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def clean_failure(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The output of a run that failed with ``code`` and one screen of text, no traceback."""
    out = f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr, out
    assert done.returncode == code, out
    return done.stdout + done.stderr


def _songs(folder: Path, ids: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in ids:
        (folder / f"song{i}.json").write_text(json.dumps({"id": i, "name": f"s{i}", "kind": "x"}) + "\n")


# -- 1. symbolic links: each real file once, never out of the source folder ---------------------------------------

def test_symlink_loop_and_links_out_are_not_followed(tmp_path: Path) -> None:
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    data = tmp_path / "data"
    _songs(data / "A" / "A" / "A", range(10, 14))
    (data / "A" / "A" / "A" / "loop").symlink_to("..", target_is_directory=True)   # back up the tree
    (data / "A" / "again").symlink_to(data / "A" / "A", target_is_directory=True)  # a folder already listed
    (data / "same.json").symlink_to(data / "part.json")                            # a file already listed
    outside = tmp_path / "outside"
    _songs(outside, range(90, 92))
    (data / "out").symlink_to(outside, target_is_directory=True)                   # out of the source folder
    (data / "gone.json").symlink_to(tmp_path / "nothing.json")                     # dangling
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")]
    assert ids == [1, 10, 11, 12, 13]
    assert "5 symbolic link(s) not followed" in done.stdout + done.stderr


def test_links_inside_the_folder_to_unlisted_files_are_read_once(tmp_path: Path) -> None:
    """A link to a real file of the source that glob would not reach by name still loads it, once."""
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    data = tmp_path / "data"
    _songs(data / "store", range(20, 22))
    (data / "store" / "song20.json").rename(data / "store" / "song20.txt")
    (data / "alias.json").symlink_to(data / "store" / "song20.txt")
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")]
    assert ids == [1, 20, 21]


# -- 11. folder names with glob characters are names -------------------------------------------------------------

def test_folder_names_with_glob_characters_load(tmp_path: Path) -> None:
    folder = "data [x]*?"
    file = make_project(tmp_path, MINIMAL.replace("path: data,", f"path: '{folder}',"), rows=[])
    _songs(tmp_path / folder / "sub [1]", range(1, 4))
    (tmp_path / folder / "packed.json").write_bytes(__import__("gzip").compress(b'{"id": 7}\n'))
    (tmp_path / "datax").mkdir()                       # what the folder name means as a pattern: not read
    _songs(tmp_path / "datax", range(50, 52))
    assert cli(["validate", str(file)], tmp_path).returncode == 0
    done = cli(["run", str(file)], tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [r[0] for r in rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")]
    assert ids == [1, 2, 3, 7]
