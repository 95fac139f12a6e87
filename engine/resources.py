"""Where the shipped templates and schema live, installed or in a checkout.

A wheel carries them inside the package (``engine/_data``, see pyproject.toml);
an editable install or a plain checkout reads them from the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``templates`` or ``schemas``) shipped with the engine."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"etl-engine is installed without its {name}/ folder")
