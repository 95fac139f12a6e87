"""Recording where the warehouse is: [CLUSTER] and [IAM_ROLE] written into a dwh.cfg-style file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from engine.dwhcfg import DwhCfg
from engine.dwhcfg import parser as new_parser
from engine.tools.cluster.aws import ClusterError
from engine.tools.cluster.provisioned import UpResult
from engine.tools.cluster.serverless import ServerlessInfo


def check_connection_config(path: Path) -> None:
    """Fail on an unreadable --write-config file before a cluster is paid for, not after."""
    if path.exists():
        DwhCfg.read(path)


def cluster_sections(result: UpResult) -> dict[str, dict[str, str]]:
    """[CLUSTER] and [IAM_ROLE] for a provisioned cluster, as the course's etl.py reads them."""
    cluster = result.cluster
    return {
        "CLUSTER": {
            "HOST": cluster.host or "",
            "DB_NAME": cluster.db,
            "DB_USER": cluster.db_user,
            "DB_PORT": str(cluster.port or ""),
        },
        "IAM_ROLE": {"ARN": result.role_arn},
    }


def serverless_sections(found: ServerlessInfo) -> dict[str, dict[str, str]]:
    """The workgroup for a serverless target (${REDSHIFT_WORKGROUP}), its endpoint and the role."""
    return {
        "CLUSTER": {"HOST": found.host or "", "DB_NAME": found.db, "DB_PORT": str(found.port or "")},
        "IAM_ROLE": {"ARN": found.role_arn},
        "ENV": {"REDSHIFT_WORKGROUP": found.workgroup},
    }


def write_connection_config(path: Path, updates: dict[str, dict[str, str]]) -> None:
    """Record where the warehouse is (``updates``: section -> key -> value), keeping every other section and key.

    The password is deliberately not written: it stays where the user keeps it.
    Comments in the file are lost (configparser does not keep them).
    """
    parser = DwhCfg.read(path).ini if path.exists() else new_parser()
    for section, keys in updates.items():
        name = next((s for s in parser.sections() if s.upper() == section), section)
        if not parser.has_section(name):
            parser.add_section(name)
        for key, value in keys.items():
            for old in [o for o in parser.options(name) if o.upper() == key and o != key]:
                parser.remove_option(name, old)  # host= and HOST= would clash for a reader that lowercases
            parser.set(name, key, value)
    # Write beside the file and rename, so a crash never leaves half a dwh.cfg (it may hold secrets).
    directory = path.resolve().parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory, text=True)
    except OSError as exc:
        raise ClusterError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            parser.write(out, space_around_delimiters=False)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ClusterError(f"cannot write {path}: {exc.strerror or exc}") from None
