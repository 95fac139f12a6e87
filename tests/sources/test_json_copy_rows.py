"""engine/sources/json_layout.py copy_rows: the same COPY rows whatever the file's size and read sizes."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from engine.sources import json_layout
from engine.sources.json_layout import copy_rows

DOCS = [{"id": i, "text": "tab\there, back\\slash" if i % 7 == 0 else "x" * (i % 50)} for i in range(3000)]


def _expected(docs: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(d).replace("\\", "\\\\").replace("\t", "\\t").encode() + b"\n" for d in docs)


@pytest.mark.parametrize("count", [1, 3, 3000])  # a few bytes, and well over HEAD
@pytest.mark.parametrize("final_newline", [True, False])
def test_a_lines_file_gives_one_row_per_line_whatever_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, final_newline: bool
) -> None:
    # small reads, so a line straddles every read's end
    monkeypatch.setattr(json_layout, "HEAD", 1000)
    monkeypatch.setattr(json_layout, "CHUNK", 4096)
    text = "\n".join(json.dumps(d) for d in DOCS[:count]) + ("\n" if final_newline else "")
    file = tmp_path / "part.json"
    file.write_text(text)
    with file.open("rb") as raw:
        assert b"".join(copy_rows(raw, str(file))) == _expected(DOCS[:count])
    gz = tmp_path / "part.json.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    with gzip.open(gz, "rb") as raw:
        assert b"".join(copy_rows(raw, str(gz))) == _expected(DOCS[:count])  # type: ignore[arg-type]
    # a stream with no file under it reads as a big one
    assert b"".join(copy_rows(io.BytesIO(text.encode()), "memory")) == _expected(DOCS[:count])
