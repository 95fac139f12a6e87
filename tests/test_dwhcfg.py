"""One reader of dwh.cfg: the connection settings and the cluster commands agree on what a file says."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.dwhcfg import DwhCfg
from engine.errors import ConfigError
from engine.settings import Settings
from engine.tools.cluster.settings import UP_KEYS, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_section_and_key_case_do_not_matter_to_either_reader(tmp_path: Path) -> None:
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text(
        "[cluster]\nhost=h.example.com\ndb_name = dwh\n[Iam_Role]\narn=arn:aws:iam::1:role/r\n"
        "[dwh]\ndwh_cluster_identifier=c1\n[env]\nOTHER=x\n",
        encoding="utf-8",
    )
    settings = Settings(env={}, config_file=cfg)
    assert (
        settings.get("REDSHIFT_HOST"),
        settings.get("REDSHIFT_DB"),
        settings.get("REDSHIFT_IAM_ROLE_ARN"),
        settings.get("OTHER"),
    ) == ("h.example.com", "dwh", "arn:aws:iam::1:role/r", "x")
    assert load_settings(cfg, {}, ("DWH_CLUSTER_IDENTIFIER",)).identifier == "c1"


def test_the_example_reads_as_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("REDSHIFT_PASSWORD", raising=False)
    example = ROOT / "dwh.cfg.example"
    up = load_settings(example, {}, UP_KEYS)
    assert (up.identifier, up.node_type, up.cluster_type, up.port, up.region) == (
        "dwhcluster",
        "ra3.large",
        "single-node",
        5439,
        "us-west-2",
    )
    assert up.aws_key is None and up.password is None  # empty KEY/SECRET: boto3's own credentials
    settings = Settings(env={}, config_file=example)
    assert settings.get("REDSHIFT_DB") == "dwh" and settings.get("REDSHIFT_HOST") is None


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cfg"
    bad.write_text("[DWH]\nok=1\nthis line is no key\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Settings(env={}, config_file=bad)
    issue = caught.value.issues[0]
    assert (issue.location.file, issue.location.line) == (bad, 3) and "not a valid INI file" in issue.message
    with pytest.raises(ConfigError, match="config file not found"):
        DwhCfg.read(tmp_path / "missing.cfg")
    assert DwhCfg.read(ROOT / "dwh.cfg.example").line("dwh", "dwh_node_type") is not None
