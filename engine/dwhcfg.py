"""The one reader of dwh.cfg, the INI file Redshift projects keep their cluster settings in.

Both the connection settings (engine.settings: [CLUSTER], [IAM_ROLE], [ENV]) and the cluster
commands (engine.tools.cluster: [DWH], [AWS]) read it through here, so they agree on what a file
means: section and key names match case-insensitively (files in the wild write [cluster] and
host=), values are stripped, '%' is data (no interpolation), and errors carry the file and line.
A commented example is dwh.cfg.example at the repository root.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import ConfigError, Issue, Location


def parser() -> configparser.ConfigParser:
    # No interpolation: a '%' in a password or URL is data, not syntax.  Keys keep their case
    # so a rewritten dwh.cfg still reads HOST=, as the course's scripts expect.
    p = configparser.ConfigParser(interpolation=None)
    p.optionxform = str  # type: ignore[assignment,method-assign]
    return p


def _line_numbers(text: str) -> dict[tuple[str, str], int]:
    """Line numbers of sections (key "") and keys, upper-cased, which configparser does not keep."""
    found: dict[tuple[str, str], int] = {}
    section = ""
    for n, line in enumerate(text.splitlines(), 1):
        if m := re.match(r"\s*\[([^\]]+)\]", line):
            section = m.group(1).strip()
            found.setdefault((section.upper(), ""), n)
        elif (m := re.match(r"\s*([^#;\s=:][^=:]*?)\s*[=:]", line)) and section:
            found.setdefault((section.upper(), m.group(1).upper()), n)
    return found


@dataclass
class DwhCfg:
    """A parsed dwh.cfg (or an empty one), with case-insensitive lookups and line numbers."""

    path: Path
    text: str = ""
    ini: configparser.ConfigParser = field(default_factory=parser)

    @classmethod
    def read(cls, path: Path) -> DwhCfg:
        """The file at ``path``; a missing, unreadable or malformed file is a ConfigError at its line."""
        ini = parser()
        try:
            text = path.read_text(encoding="utf-8")
            ini.read_string(text, source=str(path))
        except FileNotFoundError:
            raise ConfigError(
                [Issue("config file not found", Location(path), "pass --config with the path of your dwh.cfg")]
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
            raise ConfigError([Issue(f"cannot read the file: {reason}", Location(path))]) from None
        except configparser.Error as exc:
            line = getattr(exc, "lineno", None)
            errors = getattr(exc, "errors", None)  # ParsingError lists (line, text); its subclasses may not
            if line is None and errors:
                line = errors[0][0]
            first = str(exc).splitlines()[0]
            raise ConfigError([Issue(f"not a valid INI file: {first}", Location(path, line))]) from None
        return cls(path, text, ini)

    def section(self, name: str) -> str | None:
        """The section's name as the file spells it."""
        return next((s for s in self.ini.sections() if s.upper() == name.upper()), None)

    def get(self, section: str, key: str) -> str | None:
        """A key's stripped value, or None when absent or blank; names match case-insensitively."""
        found = self.section(section)
        if found is None:
            return None
        for option, value in self.ini.items(found):
            if option.upper() == key.upper() and value.strip():
                return value.strip()
        return None

    def items(self, section: str) -> list[tuple[str, str]]:
        found = self.section(section)
        return [] if found is None else [(k, v.strip()) for k, v in self.ini.items(found)]

    def line(self, section: str, key: str = "") -> int | None:
        """The line of ``[section]`` (key "") or of its ``key``, for error locations."""
        return _line_numbers(self.text).get((section.upper(), key.upper()))
