"""Connection settings and secrets: from the environment, then a settings file; never the pipeline.

pipeline.yaml refers to them as ``${NAME}`` (or ``${NAME:-default}``), so the file
can be committed.  Values come from the process environment first and then from a
settings file given with ``--config``: a ``dwh.cfg`` in the common Redshift-tutorial layout
([CLUSTER] HOST, DB_NAME, DB_USER, DB_PASSWORD, DB_PORT; [IAM_ROLE] ARN) reads as
the REDSHIFT_* names below, so its users switch without rewriting their settings,
and an ``[ENV]`` section may name any other variable directly.  The file is read by
engine.dwhcfg, the same reader the cluster commands use (section and key names match in any case).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

#: dwh.cfg (section, key) for each environment name, as the original project wrote it.
DWH_CFG: dict[str, tuple[str, str]] = {
    "REDSHIFT_HOST": ("CLUSTER", "HOST"),
    "REDSHIFT_DB": ("CLUSTER", "DB_NAME"),
    "REDSHIFT_USER": ("CLUSTER", "DB_USER"),
    "REDSHIFT_PASSWORD": ("CLUSTER", "DB_PASSWORD"),
    "REDSHIFT_PORT": ("CLUSTER", "DB_PORT"),
    "REDSHIFT_IAM_ROLE_ARN": ("IAM_ROLE", "ARN"),
}


#: called with every name a Settings looks up; the CLI's answer cache (engine/fastpath.py) keys on their
#: values. A hook, so settings (the flow) does not import the CLI's machinery.
LOOKUP_OBSERVERS: list[Callable[[str], None]] = []


class Settings:
    """Looks names up in the environment, then in the settings file."""

    def __init__(self, env: Mapping[str, str] | None = None, config_file: Path | None = None) -> None:
        self.env = dict(os.environ if env is None else env)
        self.config_file = config_file
        self.file_values: dict[str, str] = _read_config(config_file) if config_file else {}

    def get(self, name: str) -> str | None:
        for observe in LOOKUP_OBSERVERS:
            observe(name)
        value = self.env.get(name)
        if value is None:
            value = self.file_values.get(name)
        return value

    def origin(self, name: str) -> str:
        """Where a name's value came from, for messages (never the value itself)."""
        if name in self.env:
            return "the environment"
        if name in self.file_values and self.config_file:
            return str(self.config_file)
        return "nowhere"

    def resolve(self, text: str) -> tuple[str, list[str]]:
        """``text`` with every ``${NAME}`` replaced; unset names stay as written and are listed."""
        missing: list[str] = []

        def replace(match: re.Match[str]) -> str:
            value = self.get(match.group(1))
            if value is None:
                if match.group(2) is not None:
                    return match.group(2)
                missing.append(match.group(1))
                return match.group(0)
            return value

        return ENV_REF.sub(replace, text), missing


def references(text: str) -> list[str]:
    """The names ``text`` refers to with ``${...}``."""
    return [m.group(1) for m in ENV_REF.finditer(text)]


def _read_config(path: Path) -> dict[str, str]:
    from engine.dwhcfg import DwhCfg

    cfg = DwhCfg.read(path)
    values: dict[str, str] = {}
    for name, (section, key) in DWH_CFG.items():
        value = cfg.get(section, key)
        if value is not None and value.strip("'\""):
            values[name] = value.strip("'\"")
    for key, value in cfg.items("ENV"):
        values[key] = value
    return values
