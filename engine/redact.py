"""Secrets out of every output: dry-run SQL, errors, progress and logs.

Two nets: the exact values the engine resolved as secrets (passwords, keys, tokens)
are remembered and replaced wherever they appear, and the shapes that carry a
secret in SQL or connection strings (``PASSWORD '...'``, ``aws_secret_access_key=...``)
are masked even when the value came from somewhere the engine did not see.
"""

from __future__ import annotations

import re

MASK = "***"

#: option names whose values are secrets
SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|access_key|private_key|passphrase|credentials)")

_PATTERNS = [
    # COPY/UNLOAD credentials clauses and connection strings
    re.compile(r"(?i)\b(aws_secret_access_key|aws_access_key_id|aws_session_token|token|password)(\s*=\s*)([^;'\"\s]+)"),
    re.compile(r"(?i)\b(SECRET_ACCESS_KEY|ACCESS_KEY_ID|SESSION_TOKEN|PASSWORD)(\s+')([^']*)(?=')"),
    re.compile(r"(?i)(://[^:/@\s]+:)([^@/\s]+)(?=@)"),
]

_known: set[str] = set()


def remember(value: str | None) -> None:
    """Treat ``value`` as a secret from now on (short values would mask too much)."""
    if value and len(value) >= 4:
        _known.add(value)


def redact(text: str) -> str:
    for value in sorted(_known, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        else:
            text = pattern.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return text
