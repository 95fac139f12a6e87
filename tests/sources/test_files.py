"""The walk of a source folder (engine/sources/files.py): the plan's names-only walk finds what the run's
listing finds, and a listed file's path is absolute whatever the folder was called."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.sources.files import Walk, walk, walk_names


def _tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "x.json").write_text("{}\n")
    (root / "a" / "y.json").write_text("{}\n")
    (root / "z.csv").write_text("k\n1\n")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "h.json").write_text("{}\n")
    (root / "a" / ".dot.json").write_text("{}\n")
    (root / "inside").symlink_to(root / "a" / "b")  # a second name for a folder already listed
    (root / "again.json").symlink_to(root / "a" / "y.json")  # a second name for a file
    (root / "loop").symlink_to(root)
    (root / "dangling.json").symlink_to(root / "missing.json")
    (root / "data [x]*?.json").write_text("{}\n")
    os.mkfifo(root / "pipe.json")


@pytest.mark.parametrize("wanted", [lambda key: True, lambda key: key.endswith(".json")])
def test_the_names_only_walk_finds_every_key_the_listing_finds(tmp_path: Path, wanted: object) -> None:
    _tree(tmp_path)
    listed = {key for key, _path, _st in walk(str(tmp_path), Walk(), wanted)}  # type: ignore[arg-type]
    named = set(walk_names(str(tmp_path), wanted))  # type: ignore[arg-type]
    assert listed == named
    assert "a/b/x.json" in listed and "data [x]*?.json" in listed
    assert not any(k.startswith(".hidden") or k.endswith(".dot.json") or k == "pipe.json" for k in listed)


def test_a_listed_path_is_absolute_and_normalized_from_any_spelling_of_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    expected = {key: str(tmp_path / key) for key, _p, _s in walk(str(tmp_path), Walk())}
    for spelling in (".", "./", f"{tmp_path}/", f"{tmp_path}/a/..", f"{tmp_path}//"):
        got = {key: path for key, path, _st in walk(spelling, Walk())}
        assert got == expected, spelling


KEYS = [
    "c.json",
    "a/b/c.json",
    "a/c.json.gz",
    "a/b.json/c",
    "a/b/c.JSON",
    "dir\nwith a line break/c.json",
    "a/[x]*?.json",
    "a/b/c.csv",
    "a/b/.json",
    "deep/" * 40 + "c.json",
    "x.jsonl",
    "json",
]
PATTERN_SETS = [
    ("**/*.json", "**/*.json.gz"),
    ("**/*.csv", "**/*.csv.gz"),
    ("**/*",),
    ("*.json",),
    ("a/*.json", "**/*.csv"),
    ("a/**",),
    ("**/c.json",),
    ("**/*[x]*?.json",),
    ("a/b/c.json",),
]


@pytest.mark.parametrize("patterns", PATTERN_SETS)
def test_one_matcher_for_many_patterns_matches_what_each_pattern_matches(patterns: tuple[str, ...]) -> None:
    """A listing asks one matcher per file (a suffix test where every pattern is ``**/*<ending>``); it must
    answer as asking each pattern's own expression would, whichever way it is built."""
    from engine.sources.s3 import glob_regex, globs_matcher

    matcher = globs_matcher(patterns)
    for key in KEYS:
        assert matcher(key) == any(glob_regex(p).match(key) for p in patterns), (patterns, key)


def test_no_pattern_matches_nothing_and_a_folder_name_may_hold_a_line_break() -> None:
    from engine.sources.s3 import glob_regex, globs_matcher

    assert not globs_matcher(())("a.json")
    # `**` spans any characters, a line break in a folder's name included
    assert glob_regex("**/*.json").match("dir\nname/c.json")
    assert glob_regex("a/**").match("a/x\ny/z")
