"""Secrets out of every output: dry-run SQL, errors, progress and logs.

Two nets: the exact values the engine resolved as secrets (passwords, keys, tokens)
are remembered and replaced wherever they appear, and the shapes that carry a
secret in SQL or connection strings (``PASSWORD '...'``, ``aws_secret_access_key=...``)
and AWS key pairs are masked even when the value came from somewhere the engine did not see.
"""

from __future__ import annotations

import re

MASK = "***"

#: option names whose values are secrets
SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|access_key|private_key|passphrase|credentials)")

#: a value: quoted (may hold spaces) or a run of non-separators
_VALUE = r"""('[^']*'|"[^"]*"|[^;,'"\s&]+)"""

_PATTERNS = [
    # key=value in connection strings, COPY credentials, URLs' query strings, environment dumps
    # (PGPASSWORD=..., aws_secret_access_key=..., ?password=...)
    re.compile(
        r"(?i)\b([a-z0-9_]*(?:password|passwd|pwd|secret|token|access_key|access_key_id|api_key|apikey|"
        r"private_key|credentials)[a-z0-9_]*)(\s*=\s*)" + _VALUE
    ),
    # YAML or JSON shaped: password: ..., "secret": "...": a key at the start of a line or of a flow
    # mapping's entry, or a quoted key; not prose ("needs a master password: set ...")
    re.compile(
        r"""(?im)((?:^[ \t-]*|[{,][ \t]*)[a-z0-9_]*(?:password|passwd|secret_access_key|secret)"""
        r"""|["'][a-z0-9_]*(?:password|passwd|secret_access_key|secret)["'])(\s*:\s*)""" + _VALUE
    ),
    # SQL: CREDENTIALS / SECRET_ACCESS_KEY '...', PASSWORD '...'
    re.compile(r"(?i)\b(SECRET_ACCESS_KEY|ACCESS_KEY_ID|SESSION_TOKEN|PASSWORD)(\s+')([^']*)(?=')"),
    # DSN userinfo: scheme://user:password@host (the password may hold @; it ends at the last @ before the host)
    re.compile(r"(://[^:/@\s]*:)([^\s/]*)(?=@)"),
    # AWS access key ids, and 40-character secret keys (mixed case and digits; a hex digest is not one)
    re.compile(r"\b((?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16})\b"),
    re.compile(
        r"(?<![A-Za-z0-9/+=])((?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])"
        r"[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
    ),
]

_known: set[str] = set()


def remember(value: str | None) -> None:
    """Treat ``value`` as a secret from now on (short values would mask too much)."""
    if value and len(value) >= 4:
        _known.add(value)


def redact(text: str) -> str:
    """``text`` with every secret the engine knows of, and every shape that carries one, masked."""
    for value in sorted(_known, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(_keep_quotes, text)
        elif pattern.groups == 2:
            text = pattern.sub(lambda m: f"{m.group(1)}{MASK}", text)
        else:
            text = pattern.sub(MASK, text)
    return text


def _keep_quotes(m: re.Match[str]) -> str:
    value = m.group(3)
    quote = value[0] if value[:1] in ("'", '"') and len(value) > 1 and value[-1] == value[0] else ""
    return f"{m.group(1)}{m.group(2)}{quote}{MASK}{quote}"
