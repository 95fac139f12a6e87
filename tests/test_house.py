"""House rules that a review would otherwise have to catch: small modules, no upward imports."""

from __future__ import annotations

import re

from conftest import ROOT

ENGINE = ROOT / "engine"


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in ENGINE.rglob("*.py")
    }
    assert {p: n for p, n in sizes.items() if n > 400} == {}


def test_the_flow_does_not_import_the_cli_or_the_side_tools() -> None:
    """engine/ reads as the flow: nothing in it imports the command line, the answer cache or engine/tools."""
    upward = re.compile(r"^\s*(from|import) engine\.(cli|cli_more|cli_options|fastpath|tools)\b", re.M)
    flow = [
        p
        for p in ENGINE.rglob("*.py")
        if "tools" not in p.relative_to(ENGINE).parts
        and not p.name.startswith(("cli", "fastpath", "__main__"))
        and p.name not in ("run_cli.py", "query_cli.py")
    ]
    offenders = [p.relative_to(ROOT).as_posix() for p in flow if upward.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
