"""Local files as a byte stream for ``COPY ... FROM STDIN``, for targets that cannot read files.

PostgreSQL loads set-based through COPY, but the server cannot see the client's
files, so the engine streams them: file by file, never the whole source in memory.
gzip is recognised by its magic bytes as well as by name.  CSV files are passed
through as bytes (each file's header line dropped, since COPY's HEADER would skip
only the first line of the whole stream); JSON files are cut into documents, one
COPY row each, whatever their layout: newline-delimited, concatenated, pretty
printed, or a top-level array.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Literal, Protocol

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20


def is_gzip(path: str, compression: str = "auto") -> bool:
    if compression != "auto":
        return compression == "gzip"
    if path.endswith(".gz"):
        return True
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...


def open_binary(path: str, compression: str = "auto") -> IO[bytes]:
    """The file's (decompressed) bytes."""
    if is_gzip(path, compression):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def expand(patterns: list[str]) -> list[str]:
    """Every file the glob patterns match, once each, in a stable order."""
    seen: dict[str, None] = {}
    for pattern in patterns:
        for name in sorted(glob.iglob(pattern, recursive=True)):
            if os.path.isfile(name):
                seen.setdefault(os.path.abspath(name), None)
    return list(seen)


@dataclass(frozen=True)
class Feed:
    """What a ``COPY ... FROM STDIN`` statement of a load step reads."""

    patterns: tuple[str, ...]
    kind: Literal["json", "csv"]
    compression: str = "auto"
    header: bool = False
    encoding: str = "utf-8"
    #: CSV files whose fields must be picked and reordered (a header unlike the COPY column list):
    #: (path, the field index for each COPY column); other files pass through as bytes
    reorder: tuple[tuple[str, tuple[int, ...]], ...] = ()
    delimiter: str = ","
    quote: str = '"'

    def files(self) -> list[str]:
        return expand(list(self.patterns))

    def csv_chunks(self) -> Iterator[bytes]:
        """Every file's bytes after its header line, re-encoded to UTF-8 where needed."""
        picks = dict(self.reorder)
        for path in self.files():
            if path in picks:
                yield from self._picked(path, picks[path])
                continue
            with open_binary(path, self.compression) as raw:
                text: _Reader = raw
                if self.encoding.replace("-", "").lower() not in ("utf8",):
                    wrapper = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
                    text = _Reencoded(wrapper)
                if self.header:
                    text.readline()
                last = b"\n"
                while chunk := text.read(CHUNK):
                    last = chunk[-1:]
                    yield chunk
                if last not in (b"\n", b""):
                    yield b"\n"

    def _picked(self, path: str, fields: tuple[int, ...]) -> Iterator[bytes]:
        """A file whose header differs from the COPY column list, rewritten record by record (slower than
        passing bytes through; only such files pay for it). An empty quoted field becomes NULL here."""
        import csv

        with open_binary(path, self.compression) as raw:
            text = io.TextIOWrapper(
                raw,
                encoding="utf-8-sig" if self.encoding.replace("-", "").lower() == "utf8" else self.encoding,
                newline="",
            )
            reader = csv.reader(text, delimiter=self.delimiter, quotechar=self.quote)
            if self.header:
                next(reader, None)
            out = io.StringIO()
            writer = csv.writer(out, delimiter=self.delimiter, quotechar=self.quote, lineterminator="\n")
            for record in reader:
                writer.writerow([record[i] if i < len(record) else "" for i in fields])
                if out.tell() >= CHUNK:
                    yield out.getvalue().encode("utf-8")
                    out.seek(0)
                    out.truncate()
            if out.tell():
                yield out.getvalue().encode("utf-8")

    def json_documents(self) -> Iterator[str]:
        """Each top-level JSON value of every file as text (array elements one by one)."""
        from engine.sources.json_layout import decoded

        for path in self.files():
            with open_binary(path, self.compression) as raw:
                text = raw.read().decode("utf-8-sig")
            yield from decoded(text, path)

    def json_copy_rows(self) -> Iterator[bytes]:
        """Every JSON document of every file as a row of COPY's text format, by the file's layout
        (engine/sources/json_layout.py)."""
        from engine.sources.json_layout import copy_rows

        for path in self.files():
            with open_binary(path, self.compression) as raw:
                yield from copy_rows(raw, path)


class _Reencoded(io.RawIOBase):
    """A text stream in some encoding, read back as UTF-8 bytes."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text

    def readline(self, size: int | None = -1, /) -> bytes:
        return self.text.readline().encode("utf-8")

    def read(self, size: int | None = -1, /) -> bytes:
        return self.text.read(size if size and size > 0 else -1).encode("utf-8")
