"""How DuckDB reads a JSON source's files: which go to the fast reader, which are read as text and checked.

Both policies (on_error fail and skip) must agree on what a record is and which records are bad, so
the layout of a file is decided once, here, by its first non-blank line (after a UTF-8 BOM):

* ``lines`` (newline-delimited): every non-blank line is one record;
* ``pretty``: the first line is just ``{``: a record starts at each line that begins in column 1 with
  anything but white space or a closing bracket (concatenated pretty-printed objects);
* ``array``: the first character is ``[``: cut like ``pretty``, and a record that is an array is taken
  apart into its elements (one reject for an element that is not an object).

A source's ``json_format: newline_delimited`` or ``array`` forces the layout of every file.

Large ``lines`` files are read by DuckDB's parallel ``read_json(format='newline_delimited')`` under
``on_error: fail``; everything else (small files, other layouts, and every file under ``skip``) is read
as text and checked in SQL (json_records.sql), which is also what explains a failed fast read. Many
small files are much faster as text than through read_json's per-file reader set-up.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

from engine.sources.json_layout import layout_of
from engine.sources.stream import GZIP_MAGIC

#: a ``lines`` file at least this big goes to read_json under on_error: fail (smaller: as text)
FAST_MIN_BYTES = 64 * 1024
#: bytes read from the start of a file to find its layout
SNIFF_BYTES = 64 * 1024


@dataclass
class JsonFiles:
    """The files of one JSON load, by how they are read."""

    #: (compression, paths) read by read_json, newline-delimited (on_error: fail only)
    fast: list[tuple[str, list[str]]] = field(default_factory=list)
    #: read as text and checked: plain files and gzip files
    plain: list[str] = field(default_factory=list)
    gzip: list[str] = field(default_factory=list)
    #: of the checked files, those whose layout is pretty or array (the others are lines)
    multiline: list[str] = field(default_factory=list)


def _sniff(path: str, compression: str) -> tuple[bool, bytes, int]:
    """(gzip, first bytes decompressed, size on disk) of a local file."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
        size = handle.seek(0, 2)
    packed = compression == "gzip" or (compression == "auto" and (path.endswith(".gz") or head[:2] == GZIP_MAGIC))
    if packed:
        try:
            with gzip.open(path, "rb") as stream:
                head = stream.read(SNIFF_BYTES)
        except (OSError, EOFError):
            head = b""  # a corrupt stream: the checked read reports it
    return packed, head, size


def json_files(
    paths: tuple[str, ...], compression: str, json_format: str, fail: bool, patterns: bool = False
) -> JsonFiles:
    """Sort a load's files by how they are read. Glob patterns (a plan shown before listing) go to the
    fast reader under fail and to the checked read under skip, unsniffed; listed files are literal paths,
    whatever characters their names hold."""
    out = JsonFiles()
    if patterns:
        if fail:
            out.fast = [(compression, list(paths))]
        else:
            out.plain = list(paths)
        return out
    fast: dict[str, list[str]] = {}
    for path in paths:
        packed, head, size = _sniff(path, compression)
        layout = {"newline_delimited": "lines", "array": "array"}.get(json_format) or layout_of(head)
        if fail and layout == "lines" and size >= FAST_MIN_BYTES:
            fast.setdefault("gzip" if packed else "none", []).append(path)
            continue
        (out.gzip if packed else out.plain).append(path)
        if layout != "lines":
            out.multiline.append(path)
    out.fast = [(c, fast[c]) for c in ("none", "gzip") if c in fast]
    return out


def explain_files(files: JsonFiles) -> JsonFiles:
    """The files a failed fail-mode load is explained over: all of them, checked (the fast ones are lines)."""
    out = JsonFiles(plain=list(files.plain), gzip=list(files.gzip), multiline=list(files.multiline))
    for compression, group in files.fast:
        (out.gzip if compression == "gzip" else out.plain).extend(group)
    return out
