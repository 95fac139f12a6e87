"""The layout of a JSON file, and its documents as rows of COPY's text format.

The layout is decided once, by the file's first non-blank line (after a UTF-8 BOM), and every target
reads by it (docs/targets.md, "What a record is, per layout"):

* ``lines``: every non-blank line is one document;
* ``pretty``: the first line is just ``{`` (concatenated pretty-printed objects);
* ``array``: the first character is ``[`` (a top-level array, taken apart into its elements).

``copy_rows`` streams a file for PostgreSQL's ``COPY ... FROM STDIN``: a lines file passes through
in large chunks with COPY's escapes applied at C speed (no JSON parsing in Python; the server parses
each line as it stores it), other layouts go through Python's decoder, one document a row.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import IO

BOM = b"\xef\xbb\xbf"
_BLANK = b" \t\r\n"
#: bytes read per step of a lines file (whole lines are passed on; the rest waits for the next step)
CHUNK = 16 << 20
#: bytes read first: enough for the layout (its first line), and small files whole
HEAD = 64 << 10
#: a blank line (COPY would read it as an empty document)
_BLANK_LINE = re.compile(rb"(?m)^[ \t\r]*\n")
#: a blank line after a line break (a search led by a literal: fast); the chunk's first line is matched apart
_BLANK_AFTER = re.compile(rb"\n[ \t\r]*\n")
_BLANK_FIRST = re.compile(rb"[ \t\r]*\n")
#: a line holding an array, whose elements are the documents (the decoder takes it apart)
_ARRAY_LINE = re.compile(rb"(?m)^[ \t]*\[")


def layout_of(head: bytes) -> str:
    """A file's layout from its first bytes."""
    if head.startswith(BOM):
        head = head[3:]
    text = head.lstrip(_BLANK)
    if text.startswith(b"["):
        return "array"
    first = text.split(b"\n", 1)[0]
    return "pretty" if first.rstrip(b" \t\r") == b"{" else "lines"


def _escaped(document: str) -> bytes:
    """One document as a line of COPY's text format."""
    return (
        document.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n").encode("utf-8")
        + b"\n"
    )


def decoded(text: str, path: str) -> Iterator[str]:
    """Each top-level JSON value of ``text`` as text (array elements one by one)."""
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            break
        try:
            value, stop = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        if isinstance(value, list):
            yield from (json.dumps(v, ensure_ascii=False) for v in value)
        else:
            yield text[pos:stop]
        pos = stop


def _lines(chunk: bytes, path: str) -> bytes:
    """Whole lines of a lines file as COPY text: blank lines dropped, backslash, tab and carriage return
    escaped. Lines holding an array, or a carriage return that does not end a line, are decoded."""
    # the multi-line regular expressions try every line start (~7 ms per MB): a literal search first; the
    # same for carriage returns, whose two counts cost 19 ms per 15 MB where there is none
    if (b"[" in chunk and _ARRAY_LINE.search(chunk)) or (b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n")):
        return b"".join(_escaped(d) for d in decoded(chunk.decode("utf-8"), path))
    if _BLANK_FIRST.match(chunk) or _BLANK_AFTER.search(chunk):
        chunk = _BLANK_LINE.sub(b"", chunk)
    return chunk.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\r", b"\\r")


def _size(raw: IO[bytes]) -> int:
    """The size of the file under ``raw`` (compressed, for a gzip stream); CHUNK when it has none."""
    try:
        return os.fstat(raw.fileno()).st_size
    except (OSError, AttributeError, ValueError):  # io.UnsupportedOperation is an OSError and a ValueError
        return CHUNK


def copy_rows(raw: IO[bytes], path: str) -> Iterator[bytes]:
    """The documents of one file as rows of COPY's text format."""
    # a small file (most song files: 250 bytes) is asked for HEAD, not CHUNK: a read of n bytes allocates n
    # first, and 16 MB twice per file cost 20-40 us a file (10,000 files: 0.2-0.4 s). Only a small one: after
    # a small first read glibc maps each 16 MB chunk afresh, and a big file's reads cost 1 s more system time
    # per 400 MB
    small = _size(raw) < HEAD
    head = raw.read(HEAD if small else CHUNK)
    if head.startswith(BOM):
        head = head[3:]
    if layout_of(head) != "lines":
        text = (head + raw.read()).decode("utf-8")
        yield b"".join(_escaped(d) for d in decoded(text, path))
        return
    rest = head
    step = HEAD if small and len(head) < HEAD else CHUNK
    while True:
        more = raw.read(step)
        data = rest + more
        cut = data.rfind(b"\n") + 1 if more else len(data)
        whole, rest = data[:cut], data[cut:]
        if whole.strip(_BLANK):
            yield _lines(whole if whole.endswith(b"\n") else whole + b"\n", path)
        if not more:
            return
