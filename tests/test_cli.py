"""The command line as a user meets it: exit codes, one-screen errors, dry runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from helpers import MINIMAL, make_project


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every registered command, sub-commands included (cluster up, ...)."""
    out: list[tuple[str, ...]] = []
    for name, command in getattr(group, "commands", {}).items():
        out.append((*prefix, name))
        out += _commands(command, (*prefix, name))
    return out


def test_every_command_has_help() -> None:
    import typer

    from engine.cli import app

    commands = _commands(typer.main.get_command(app))
    assert {("run",), ("validate",), ("query",), ("history",)} <= set(commands)
    for command in commands:
        done = cli(*command, "--help")
        assert done.returncode == 0 and "Usage" in done.stdout, command
        summary = done.stdout.split("Usage", 1)[1].split("Options", 1)[0]
        assert len(summary.split()) > 6, f"{command} has no help text"


def test_the_lean_app_of_one_command_answers_as_the_whole_app() -> None:
    """main() builds only the command it runs (engine/cli.py _lean): help, usage errors and the top-level
    options of every command must read the same as through the whole app."""
    import typer
    from typer.testing import CliRunner

    from engine.cli import _lean, app

    runner = CliRunner()
    commands = _commands(typer.main.get_command(app))
    for command in commands:
        lean = _lean(command[0])
        assert lean is not app, command
        for args in ([*command, "--help"], [*command, "--no-such-option"], ["--debug", *command, "--help"]):
            whole, one = runner.invoke(app, args), runner.invoke(lean, args)
            assert (one.exit_code, one.output) == (whole.exit_code, whole.output), args
    assert _lean("no-such-command") is app and _lean("--help") is app and _lean("") is app


def test_debug_shows_the_traceback_behind_an_error(tmp_path: Path) -> None:
    plain = cli("validate", str(tmp_path / "missing.yaml"))
    debug = cli("--debug", "validate", str(tmp_path / "missing.yaml"))
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
    assert "file not found" in plain.stderr and "file not found" in debug.stderr


def test_validate_ok(tmp_path: Path) -> None:
    done = cli("validate", str(make_project(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "ok (3 tables" in done.stdout


def test_typo_gives_one_screen_error_with_location(tmp_path: Path) -> None:
    file = make_project(tmp_path, MINIMAL.replace("    primary_key: id", "    primary_kye: id"))
    done = cli("validate", str(file))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{file}:18:5: star.things.primary_kye: unknown key 'primary_kye'" in done.stderr
    assert "did you mean 'primary_key'?" in done.stderr
    assert len(done.stderr.splitlines()) < 25


def test_dry_run_prints_every_statement_and_creates_nothing(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    done = cli("run", str(file), "--dry-run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # the run's own transaction: the last BEGIN and COMMIT (the bookkeeping tables' come first)
    order = [out.rindex("BEGIN TRANSACTION")]
    order += [
        out.index(s)
        for s in (
            'CREATE TABLE "staging_things__etl_next"',
            "read_json(",
            'INSERT INTO "kinds__etl_next"',
            'INSERT INTO "things__etl_next"',
            'ALTER TABLE "things__etl_next" RENAME TO "things"',
        )
    ]
    order.append(out.rindex("COMMIT"))
    assert order == sorted(order)
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_run_prints_summary_and_check_failure_exits_1(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    done = cli("run", str(file))
    assert done.returncode == 0, done.stderr
    assert "transform:things" in done.stdout and "committed" in done.stdout
    (tmp_path / "data" / "part.json").write_text('{"id": 1, "name": "a", "kind": "x"}\n{"id": 1, "name": "b"}\n')
    done = cli("run", str(file), "--full-refresh")
    assert done.returncode == 1
    assert "primary_key_unique_things" in done.stdout and "rolled back" in done.stdout
    assert "Traceback" not in done.stderr


def test_bad_var_and_unknown_target_exit_2(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    done = cli("run", str(file), "--var", "novalue")
    assert done.returncode == 2 and "NAME=VALUE" in done.stderr
    done = cli("run", str(file), "--target", "lcoal")
    assert done.returncode == 2 and "did you mean 'local'?" in done.stderr


def test_var_paths_resolve_against_the_working_directory(tmp_path: Path) -> None:
    text = MINIMAL.replace("name: mini\n", "name: mini\nvars: {root: nowhere}\n").replace(
        "path: data,", "path: '{{ root }}/data',"
    )
    file = make_project(tmp_path / "proj", text)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "proj" / "data").rename(tmp_path / "elsewhere" / "data")
    assert cli("validate", str(file)).returncode == 2  # 'nowhere' is relative to the pipeline's folder
    done = cli("validate", "proj/pipeline.yaml", "--var", "root=elsewhere", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_query_prints_results(tmp_path: Path) -> None:
    query = "queries:\n  per_kind: select kind, count(*) as n from things group by kind\n"
    file = make_project(tmp_path, MINIMAL + query)
    assert cli("run", str(file)).returncode == 0
    done = cli("query", str(file), "per_kind")
    assert done.returncode == 0, done.stderr
    assert "per_kind" in done.stdout and "x" in done.stdout


def test_version_option_on_the_top_level_command() -> None:
    from engine import __version__

    done = cli("--version")
    assert done.returncode == 0 and done.stdout == f"etl-engine {__version__}\n"
    assert cli("version").stdout.strip() == __version__
    assert "--version" in cli("--help").stdout
