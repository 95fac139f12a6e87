"""Hostile and broken pipeline files: each must fail cleanly, never with a traceback.

Every file in tests/hostile/ (one per kind of bad input, plus the sidecar files some of
them name) goes through ``etl-engine validate`` in-process, a sample also through
``run --dry-run``, and a sample through the real CLI in a subprocess.  Each must exit 2
with ``error: <file>:<line>:...`` naming the file at fault and the line, and say what is
wrong (the substring in CASES); none may run code it was handed (marker files).
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from engine.cli import app
from engine.location import MAX_FILE_BYTES

HOSTILE = ROOT / "tests" / "hostile"
#: files that code smuggled into a case would create in the working directory
MARKERS = ("pwned-by-yaml", "pwned-by-key", "pwned-by-sql", "pwned-by-template")


class Case(NamedTuple):
    expect: str  # a substring of the issue (its message or hint)
    line: int  # the line the issue points at
    file: str | None = None  # the file at fault, below tests/hostile; None: the case itself
    args: tuple[str, ...] = ()  # more command-line arguments


CASES: dict[str, Case] = {
    "01_syntax_error.yaml": Case("YAML syntax error: while parsing a flow sequence", 6),
    "02_tab_indentation.yaml": Case("indent with spaces, not tabs", 4),
    "03_duplicate_key.yaml": Case("duplicate key 'source'", 11),
    "04_unknown_key.yaml": Case("unknown key 'primary_kye'\n  hint: did you mean 'primary_key'?", 14),
    "05_wrong_type.yaml": Case("expected a mapping, got a list", 10),
    "06_missing_required.yaml": Case("missing required key 'source'", 8),
    "07_empty.yaml": Case("file is empty", 1),
    "08_only_comment.yaml": Case("file is empty", 1),
    "09_top_level_list.yaml": Case("a pipeline file must be a mapping of sections", 1),
    "10_latin1.bin": Case("file is not valid UTF-8", 3),
    "11_utf16_bom.bin": Case("file is UTF-16 (or UTF-32), not UTF-8", 1),
    "12_utf16_no_bom.bin": Case("file holds a NUL byte\n  hint: a binary file, or text saved as UTF-16?", 1),
    "13_nul_byte.bin": Case("file holds a NUL byte", 3),
    "14_invalid_utf8.bin": Case("file is not valid UTF-8", 3),
    "15_alias_bomb.yaml": Case("more than 200,000 nodes (alias bomb?)", 2),
    "16_deep_nesting.yaml": Case("the document nests deeper than 64 levels", 4),
    "17_deep_nesting_block.yaml": Case("the document nests deeper than 64 levels", 66),
    "18_python_tag.yaml": Case("YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed", 3),
    "19_custom_tag.yaml": Case("YAML tag '!env' is not allowed", 4),
    "20_merge_key.yaml": Case("YAML merge keys (<<) are not supported", 6),
    "21_cycle.yaml": Case("dependency cycle: kinds -> labels -> kinds", 13),
    "22_undefined_source.yaml": Case("undefined source 'thngs'\n  hint: did you mean 'things'?", 9),
    "23_undefined_table.yaml": Case("SQL reads undefined table 'staging_thing'", 18),
    "24_undefined_column.yaml": Case("Column 'kindd' could not be resolved", 18),
    "25_undefined_reference.yaml": Case("names 'kind_list', which is not a star table", 15),
    "26_sql_syntax_yaml.yaml": Case("SQL does not parse", 19),
    "27_sql_syntax_file.yaml": Case("SQL does not parse", 4, "sidecars/broken.sql"),
    "28_ident_injection_table.yaml": Case("""'x"; drop table y; --' is not a plain SQL identifier""", 8),
    "29_ident_injection_column.yaml": Case("""'x"; drop table y; --' is not a plain SQL identifier""", 12),
    "30_sql_second_statement.yaml": Case("the SQL holds more than one statement", 16),
    "31_cli_var_injection.yaml": Case(
        "source folder not found", 7, args=("--var", "data_root=data'; drop table y; --")
    ),
    "32_path_traversal_sql.yaml": Case("shadow.sql: No such file or directory", 16),
    "33_sql_file_not_sql.yaml": Case("SQL does not parse", 1, "sidecars/passwd.sql"),
    "34_sql_file_binary.yaml": Case("binary.sql is not UTF-8 text", 16),
    "35_inline_secret.yaml": Case("'password' is a secret and must not be written in the pipeline file", 9),
    "36_sandbox_escape_sql.yaml": Case("access to attribute '__init__' of 'type' object is unsafe", 16),
    "37_sandbox_escape_var.yaml": Case("access to attribute '__class__' of 'str' object is unsafe", 8),
    "38_sandbox_escape_template.yaml": Case(
        "access to attribute '__init__' of 'type' object is unsafe", 5, "sidecars/pwn_templates/macros.sql"
    ),
    "39_unknown_target_type.yaml": Case("unknown target type 'oracle'", 5),
    "40_default_target_undefined.yaml": Case("default_target 'prod' is not defined under targets", 3),
    "41_vars_file_missing.yaml": Case("vars file not found", 4),
    "42_vars_file_malformed.yaml": Case("YAML syntax error", 4, "sidecars/vars_malformed.yaml"),
    "43_vars_file_not_mapping.yaml": Case("a vars file must hold a mapping", 2, "sidecars/vars_list.yaml"),
    "44_check_two_kinds.yaml": Case("a check needs exactly one of", 12),
    "45_identifier_too_long.yaml": Case("is not a plain SQL identifier (longer than 63 characters)", 8),
    "46_identifier_spaces.yaml": Case("'first name' is not a plain SQL identifier", 10),
    "47_identifier_uppercase.yaml": Case("SQL reads undefined table 'staging_things'", 16),
    "48_identifier_reserved.yaml": Case("could not be resolved", 21),
    "49_jsonpaths_not_json.yaml": Case("jsonpaths_bad.json: Expecting value", 6),
    "50_jsonpaths_bad_path.yaml": Case("path 2 'name': a JSONPath starts with $", 6),
    "51_templates_dir_missing.yaml": Case("templates folder not found", 3),
    "52_check_sql_injection.yaml": Case("the SQL holds more than one statement", 13),
    "53_alias_deep.yaml": Case("nests deeper than 64 levels (through aliases)", 4),
    "54_python_tag_key.yaml": Case("YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed", 3),
    "55_control_character.bin": Case("file holds a control character (#x0007)", 3),
    "56_terminal_escape.yaml": Case(r"unknown key '\x1b[2J\x1b[31mgotcha'", 3),
    "57_jinja_memory_bomb.yaml": Case("repeating a str 1000000000000 times is too large for a template", 16),
    "58_jinja_type_error.yaml": Case("TypeError: unsupported operand", 16),
}

#: cases the engine still gets wrong (name -> why), run as strict xfails until it gets them right
KNOWN_BAD: dict[str, str] = {}

#: cases run again with `run --dry-run` (which plans everything `validate` does, then prints it)
DRY_RUN = (
    "01_syntax_error.yaml",
    "13_nul_byte.bin",
    "16_deep_nesting.yaml",
    "18_python_tag.yaml",
    "30_sql_second_statement.yaml",
    "31_cli_var_injection.yaml",
    "35_inline_secret.yaml",
    "36_sandbox_escape_sql.yaml",
    "38_sandbox_escape_template.yaml",
    "52_check_sql_injection.yaml",
    "56_terminal_escape.yaml",
    "57_jinja_memory_bomb.yaml",
)
#: (case, command) run in a real process, so nothing is lost on the way to the exit code
IN_SUBPROCESS = (
    ("12_utf16_no_bom.bin", "validate"),
    ("16_deep_nesting.yaml", "validate"),
    ("18_python_tag.yaml", "run"),
    ("35_inline_secret.yaml", "run"),
    ("36_sandbox_escape_sql.yaml", "validate"),
    ("38_sandbox_escape_template.yaml", "run"),
    ("52_check_sql_injection.yaml", "run"),
    ("56_terminal_escape.yaml", "validate"),
    ("57_jinja_memory_bomb.yaml", "run"),
)
COMMANDS = {"validate": ["validate"], "run": ["run", "--dry-run"]}


def _params() -> list[object]:
    """(case, command) pairs: every case with validate, the DRY_RUN ones with run --dry-run too."""
    pairs = [(n, "validate") for n in CASES] + [(n, "run") for n in DRY_RUN]
    return [
        pytest.param(
            n, c, id=f"{n}-{c}", marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BAD[n])] if n in KNOWN_BAD else []
        )
        for n, c in pairs
    ]


def test_every_file_in_the_corpus_has_a_case() -> None:
    files = {p.name for p in HOSTILE.iterdir() if p.is_file() and p.name[:2].isdigit()}
    assert files == set(CASES)
    assert len(CASES) >= 25


def assert_clean_failure(name: str, case: Case, code: int, stdout: str, stderr: str, file: Path | None = None) -> None:
    """Exit 2, no traceback, and an issue at ``file:line`` whose text holds the case's substring."""
    shown = f"exit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    assert "Traceback" not in stdout + stderr, shown
    assert code == 2, shown
    at_fault = file or (HOSTILE / case.file if case.file else HOSTILE / name)
    # an issue is its error line and the hint lines under it
    issues = re.split(r"\n(?=error: )", stderr.strip())
    here = [i for i in issues if re.match(rf"error: {re.escape(str(at_fault))}:{case.line}(:\d+)?:", i)]
    assert here, f"no issue at {at_fault}:{case.line}\n{shown}"
    assert any(case.expect in i for i in here), f"{case.expect!r} not said at line {case.line}\n{shown}"
    assert "\x1b" not in stdout + stderr, shown  # quoted input never reaches the terminal raw
    assert "hunter2" not in stdout + stderr, shown  # an inline secret is named, never shown


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory: relative --var paths and any smuggled command land here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _no_markers(*folders: Path) -> None:
    for folder in folders:
        for marker in MARKERS:
            assert not (folder / marker).exists(), f"{folder / marker}: a hostile file ran a command"


@pytest.mark.parametrize(("name", "command"), _params())
def test_fails_cleanly(name: str, command: str, workdir: Path) -> None:
    case = CASES[name]
    result = CliRunner().invoke(app, [*COMMANDS[command], str(HOSTILE / name), *case.args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert_clean_failure(name, case, result.exit_code, result.stdout, result.stderr)
    _no_markers(workdir, HOSTILE)


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_real_process_exits_2_without_traceback(tmp_path: Path) -> None:
    """The same failures from a real process, so nothing is lost on the way to the exit code."""
    huge = tmp_path / "huge.yaml"
    filler = "  # " + "x" * 76 + "\n"
    huge.write_text("name: hostile\n" + filler * (MAX_FILE_BYTES // len(filler) + 10), encoding="utf-8")
    huge_line = huge.read_bytes()[:MAX_FILE_BYTES].count(b"\n") + 1
    runs: list[tuple[str, Case, Path, list[str]]] = [
        ("huge", Case(f"file is larger than {MAX_FILE_BYTES:,} bytes", huge_line), huge, ["validate", str(huge)])
    ]
    for name, command in IN_SUBPROCESS:
        assert name not in KNOWN_BAD
        case = CASES[name]
        runs.append((name, case, HOSTILE / name, [*COMMANDS[command], str(HOSTILE / name), *case.args]))
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(lambda run: _cli(run[3], tmp_path), runs))
    for (name, case, file, args), result in zip(runs, done, strict=True):
        at_fault = HOSTILE / case.file if case.file else file
        assert_clean_failure(
            f"{name} ({' '.join(args[:2])})", case, result.returncode, result.stdout, result.stderr, at_fault
        )
    _no_markers(tmp_path, HOSTILE)


def test_var_name_injection_is_refused(workdir: Path) -> None:
    result = CliRunner().invoke(
        app, ["validate", str(HOSTILE / "31_cli_var_injection.yaml"), "--var", "x; drop table y=1"]
    )
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "--var 'x; drop table y=1' is not NAME=VALUE" in result.stderr


def _statements(dry_run: str) -> dict[str, list[str]]:
    """A dry run's output as step id -> its statements (each printed as `-- step` then `SQL;`)."""
    out: dict[str, list[str]] = {}
    for block in re.split(r"\n\n(?=-- )", dry_run.strip())[1:]:
        header, _, sql = block.partition("\n")
        out.setdefault(header[3:].strip(), []).append(sql.rstrip().removesuffix(";"))
    return out


@pytest.mark.parametrize("override", [(), ("--var", "evil=y'); drop table kinds; --")])
def test_vars_holding_sql_become_one_quoted_literal(override: tuple[str, ...], tmp_path: Path) -> None:
    """Not an error: a var is data, so `{{ var('evil') }}` is a literal and the SELECT stays one statement."""
    import sqlglot

    file = HOSTILE / "ok_var_injection.yaml"
    done = _cli(["run", "--dry-run", str(file), *override], tmp_path)
    assert done.returncode == 0, done.stderr
    literal = "'y''); drop table kinds; --'" if override else "'x''; drop table staging_things; --'"
    reached = [sql for sql in _statements(done.stdout)["transform:kinds"] if literal in sql]
    assert len(reached) == 1, done.stdout
    select = reached[0]
    assert "'{{ ''''.__class__.__mro__ }}'" in select  # a var's text is never rendered as a template
    assert len([e for e in sqlglot.parse(select, read="duckdb") if e is not None]) == 1, select
    payload = literal.strip("'").replace("''", "'").split("; ", 1)[1]  # e.g. "drop table kinds; --"
    assert done.stdout.count(payload) == 1, done.stdout  # only inside the literal
    assert not (tmp_path / "warehouse.duckdb").exists()
