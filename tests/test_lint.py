"""The Redshift lint: SQL that parses but would fail on a cluster is refused at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from engine.cli import app
from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.lint import rules, scan
from engine.lint_samples import contexts
from engine.plan import build_plan
from engine.settings import Settings
from engine.variables import parse_cli_vars

ENV = {
    "REDSHIFT_HOST": "h",
    "REDSHIFT_DB": "d",
    "REDSHIFT_USER": "u",
    "REDSHIFT_PASSWORD": "p",
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::1:role/r",
}
S3 = parse_cli_vars(["data_root=s3://udacity-dend"], ROOT)


def _plan(project: Path, target: str = "redshift") -> object:
    pipeline = load_pipeline(project / "pipeline.yaml", S3 if target == "redshift" else None)
    return build_plan(pipeline, target, Settings(env=ENV))


def _refused(project: Path) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        _plan(project)
    return err.value


def test_the_shipped_sparkify_plan_is_clean() -> None:
    plan = _plan(ROOT)
    assert plan is not None  # build_plan lints; a hit would have raised


def test_distinct_on_in_a_transform_is_refused_at_its_line(project_copy: Path) -> None:
    sql = project_copy / "transforms" / "users.sql"
    text = sql.read_text().replace("select user_id, first_name", "select distinct on (user_id) user_id, first_name")
    sql.write_text(text)
    err = _refused(project_copy)
    [issue] = err.issues
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "distinct on" in ln)
    assert issue.location.file == sql and issue.location.line == line
    assert "DISTINCT ON" in issue.message and "ROW_NUMBER()" in (issue.hint or "")
    assert "r_SELECT_list.html" in (issue.hint or "")


def test_now_in_inline_yaml_sql_is_refused_at_the_yaml_line(project_copy: Path) -> None:
    file = project_copy / "pipeline.yaml"
    text = file.read_text().replace(
        "    sql: transforms/time.sql",
        "    sql: |\n      select start_time,\n"
        "        extract(hour from now()) as hour, 1 as day, 1 as week, 1 as month,\n"
        "        1 as year, 1 as weekday\n      from songplays",
    )
    file.write_text(text)
    err = _refused(project_copy)
    [issue] = err.issues
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "now()" in ln)
    assert issue.location.file == file and issue.location.line == line
    assert "leader-node-only" in issue.message and "SYSDATE" in (issue.hint or "")
    # the same SQL is fine on DuckDB: only a target with a lint file is linted
    _plan(project_copy, "local")


def test_a_users_template_that_truncates_is_refused_at_the_template_line(project_copy: Path) -> None:
    folder = project_copy / "my_templates"
    folder.mkdir()
    (folder / "drop_table.sql").write_text("{#- empty the table instead -#}\nTRUNCATE {{ table | ident }}\n")
    file = project_copy / "pipeline.yaml"
    file.write_text(file.read_text() + "templates: my_templates\n")
    err = _refused(project_copy)
    issue = next(i for i in err.issues if "TRUNCATE" in i.message)
    assert issue.location.file == folder / "drop_table.sql" and issue.location.line == 2
    assert "DELETE FROM" in (issue.hint or "") and "r_TRUNCATE.html" in (issue.hint or "")


def test_bookkeeping_with_current_timestamp_is_refused(project_copy: Path) -> None:
    """Defect 1 again, written by a user's template: caught before the run, at the template's line."""
    folder = project_copy / "my_templates" / "state"
    folder.mkdir(parents=True)
    shipped = (ROOT / "templates" / "default" / "state" / "record_tables.sql").read_text()
    (folder / "record_tables.sql").write_text(shipped.replace("{{ run_timestamp() }}", "CURRENT_TIMESTAMP"))
    file = project_copy / "pipeline.yaml"
    file.write_text(file.read_text() + "templates: my_templates\n")
    err = _refused(project_copy)
    [issue] = err.issues
    assert issue.location.file == folder / "record_tables.sql" and issue.location.line == 4
    assert "CURRENT_TIMESTAMP" in issue.message and "state/record_tables.sql" in issue.message


def test_every_bookkeeping_template_renders_with_the_samples() -> None:
    plan = _plan(ROOT)
    for template, context in contexts(plan):  # type: ignore[arg-type]
        assert plan.renderer.statements(template, **context), template  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("select string_agg(a, ',') from t", "unsupported_function"),
        ("select a from t where a is distinct from b", "unsupported_function"),
        ("select j->>'k' from t", "json_array_operator"),
        ("select ARRAY[1, 2] from t", "json_array_operator"),
        ("create table t (id serial)", "unsupported_type"),
        ("insert into t (a) select a from s on conflict do nothing", "on_conflict"),
        ("select * from (values (1), (2)) as v (a)", "values_table"),
        ("vacuum t", "no_transaction_block"),
        ("alter table a append from b", "no_transaction_block"),
        ("create external table s.t (a int) location 's3://b/'", "no_transaction_block"),
        ("select generate_series(1, 3) from t", "unsupported_function"),
        ("select substr(a, 1) from t", "leader_node_only"),
    ],
)
def test_each_kind_of_rule(sql: str, rule: str) -> None:
    assert rule in {h.match.rule for h in scan(sql, "redshift", rules("redshift"))}


@pytest.mark.parametrize(
    "sql",
    [
        "select current_schema()",  # no table: runs on the leader node, where it works
        "select table_name from information_schema.tables where table_schema = current_schema()",
        'select "now", \'now()\', "serial" from t',  # a quoted name or a string is never a function
        "select getdate(), sysdate from t",
        "select listagg(a, ',') within group (order by a) from t",
        "create table t (id bigint identity(1, 1), age int)",
    ],
)
def test_what_is_fine_on_redshift(sql: str) -> None:
    assert scan(sql, "redshift", rules("redshift")) == []


def test_validate_on_redshift_shows_the_hit_and_exits_2(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    sql = project_copy / "transforms" / "artists.sql"
    sql.write_text(sql.read_text().replace("select", "select distinct on (artist_id)", 1))
    out = CliRunner().invoke(
        app,
        [
            "validate",
            str(project_copy / "pipeline.yaml"),
            "--target",
            "redshift",
            "--var",
            "data_root=s3://udacity-dend",
        ],
    )
    assert out.exit_code == 2, out.output
    assert "artists.sql:" in out.output and "DISTINCT ON" in out.output and "Traceback" not in out.output


def test_the_lint_file_ships_in_the_wheel() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["schemas"] == "engine/_data/schemas"
    assert (ROOT / "schemas" / "redshift_lint.yaml").is_file()
