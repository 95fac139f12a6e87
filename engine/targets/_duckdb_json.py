"""How DuckDB reads a JSON source's files: which go to the fast reader, which are read as text and checked.

Both policies (on_error fail and skip) must agree on what a record is and which records are bad, so
the layout of a file is decided once, here, by its first non-blank line (after a UTF-8 BOM):

* ``lines`` (newline-delimited): every non-blank line is one record;
* ``pretty``: the first line is just ``{``: a record starts at each line that begins in column 1 with
  anything but white space or a closing bracket (concatenated pretty-printed objects);
* ``array``: the first character is ``[``: cut like ``pretty``, and a record that is an array is taken
  apart into its elements (one reject for an element that is not an object).

A source's ``json_format: newline_delimited`` or ``array`` forces the layout of every file.

Under ``on_error: fail`` two optimistic reads come first, each failing its statement on anything the
checked read would refuse (a failure is then explained by the checked read over every file):

* large ``lines`` files: DuckDB's parallel ``read_json(format='newline_delimited')``;
* small plain ``lines`` and ``pretty`` files (the sniff saw the whole file): ``read_text`` and one
  ``json_transform`` per record (json_text.sql), with no line numbering, no grouping of lines and no
  reasons: many small files are much faster so than through read_json's per-file reader set-up, or
  through the checked read. A file holding bytes whose handling by the checked read this cut cannot
  copy exactly (see ``_text_safe``) stays on the checked read.

Everything else (gzip files, array layouts, large pretty files, every file under ``skip``) is read as
text and checked in SQL (json_records.sql), which is also what explains a failed fast read.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field

from engine.sources.json_layout import layout_of
from engine.sources.stream import GZIP_MAGIC

#: a ``lines`` file at least this big goes to read_json under on_error: fail (smaller: as text)
FAST_MIN_BYTES = 64 * 1024
#: bytes read from the start of a file to find its layout
SNIFF_BYTES = 64 * 1024
#: the small files' text a load hands DuckDB as bound values, at most: DuckDB's read_text costs about 40 us
#: per file to open and read again what the sniff has just read whole (10,000 files: 0.4 s against 0.02 s)
BOUND_MAX_BYTES = 128 * 1024 * 1024


@dataclass
class JsonFiles:
    """The files of one JSON load, by how they are read."""

    #: (compression, paths) read by read_json, newline-delimited (on_error: fail only)
    fast: list[tuple[str, list[str]]] = field(default_factory=list)
    #: small plain files read whole by read_text and cast without checks by line (on_error: fail only),
    #: by layout: every non-blank line a record, or records cut where a pretty file starts one
    text_lines: list[str] = field(default_factory=list)
    text_pretty: list[str] = field(default_factory=list)
    #: read as text and checked: plain files and gzip files
    plain: list[str] = field(default_factory=list)
    gzip: list[str] = field(default_factory=list)
    #: of the checked files, those whose layout is pretty or array (the others are lines)
    multiline: list[str] = field(default_factory=list)
    #: the text of every text_lines and text_pretty file, already read by the sniff, when all of it is
    #: UTF-8 and fits BOUND_MAX_BYTES: bound to the statement instead of read again (empty: read_text)
    docs: dict[str, str] = field(default_factory=dict)


def _head(path: str) -> tuple[bytes, int]:
    """The first SNIFF_BYTES of a file and its size. A load sniffs every file, most of them tiny: bare system
    calls (no buffered file object), and no size asked of the file system when the read met its end."""
    fd = os.open(path, os.O_RDONLY)
    try:
        head = os.read(fd, SNIFF_BYTES)
        while len(head) < SNIFF_BYTES:
            more = os.read(fd, SNIFF_BYTES - len(head))
            if not more:
                return head, len(head)
            head += more
        return head, os.fstat(fd).st_size
    finally:
        os.close(fd)


def _sniff(path: str, compression: str) -> tuple[bool, bytes, int]:
    """(gzip, first bytes decompressed, size on disk) of a local file."""
    head, size = _head(path)
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
    texts: dict[str, bytes] = {}
    for path in paths:
        packed, head, size = _sniff(path, compression)
        layout = {"newline_delimited": "lines", "array": "array"}.get(json_format) or layout_of(head)
        if fail and layout == "lines" and size >= FAST_MIN_BYTES:
            fast.setdefault("gzip" if packed else "none", []).append(path)
            continue
        if fail and not packed and len(head) == size and _text_safe(head, layout):
            (out.text_lines if layout == "lines" else out.text_pretty).append(path)
            texts[path] = head
            continue
        (out.gzip if packed else out.plain).append(path)
        if layout != "lines":
            out.multiline.append(path)
    out.fast = [(c, fast[c]) for c in ("none", "gzip") if c in fast]
    out.docs = _decoded(texts)
    return out


def _decoded(texts: dict[str, bytes]) -> dict[str, str]:
    """The files' text as read_text would give it, or nothing when read_text must read them itself: over
    BOUND_MAX_BYTES in all, or a file that is not UTF-8 (read_text then fails the statement, and the checked
    read explains it by file and line) or holds a NUL byte (kept as it is by read_text, which a bound value
    need not copy exactly)."""
    if sum(len(t) for t in texts.values()) > BOUND_MAX_BYTES:
        return {}
    docs: dict[str, str] = {}
    for path, text in texts.items():
        if b"\x00" in text:
            return {}
        try:
            docs[path] = text.decode("utf-8")
        except UnicodeDecodeError:
            return {}
    return docs


def _text_safe(data: bytes, layout: str) -> bool:
    """Whether json_text.sql reads this whole plain file exactly as the checked read does (else: checked).

    The text read hands each record to the JSON parser with the white space around it untouched and cuts
    pretty files at chr(30); the checked read strips one carriage return at a line's end, trims vertical
    tabs and form feeds around a line (read_json's white space, not the parser's), and takes apart a
    top-level array that starts a line of a pretty file. So: no vertical tab, form feed or chr(30), no
    carriage return but before a line feed, and (pretty) no line that starts with ``[``."""
    if layout not in ("lines", "pretty"):
        return False
    if b"\x0b" in data or b"\x0c" in data or b"\x1e" in data or data.count(b"\r") != data.count(b"\r\n"):
        return False
    return layout == "lines" or b"\n[" not in data


def explain_files(files: JsonFiles) -> JsonFiles:
    """The files a failed fail-mode load is explained over: all of them, checked (the read_json ones are
    lines, the text ones by their layout)."""
    out = JsonFiles(
        plain=[*files.plain, *files.text_lines, *files.text_pretty],
        gzip=list(files.gzip),
        multiline=[*files.multiline, *files.text_pretty],
    )
    for compression, group in files.fast:
        (out.gzip if compression == "gzip" else out.plain).extend(group)
    return out
