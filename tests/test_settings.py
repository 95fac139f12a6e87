"""${VAR} references: the environment first, then the settings file; unset ones stay visible."""

from __future__ import annotations

from pathlib import Path

from engine.settings import LOOKUP_OBSERVERS, Settings, references


def test_resolve_env_then_file_then_default(tmp_path: Path) -> None:
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[ENV]\nFROM_FILE=file-value\nBOTH=file\n")
    s = Settings(env={"BOTH": "env"}, config_file=cfg)
    assert s.resolve("${BOTH}/${FROM_FILE}") == ("env/file-value", [])
    assert s.resolve("${NOPE:-fallback}") == ("fallback", [])
    assert s.resolve("x ${NOPE} ${ALSO}") == ("x ${NOPE} ${ALSO}", ["NOPE", "ALSO"])
    assert s.origin("BOTH") == "the environment" and s.origin("FROM_FILE") == str(cfg)
    assert s.origin("NOPE") == "nowhere"


def test_references_and_observers() -> None:
    assert references("${A}:${B:-x}/c") == ["A", "B"]
    seen: list[str] = []
    LOOKUP_OBSERVERS.append(seen.append)
    try:
        Settings(env={}).resolve("${WATCHED}")
    finally:
        LOOKUP_OBSERVERS.remove(seen.append)
    assert seen == ["WATCHED"]
