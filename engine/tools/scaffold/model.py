"""What ``init`` finds and drafts: data files, the sources they make, and the inspection's result.

Plain data shared by the steps (discover → sniff → name → write); no step's logic lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from engine.context import PlannedRun

Format = Literal["json", "csv", "parquet"]

DATA_SUFFIXES: dict[str, Format] = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".parq": "parquet",
    ".pq": "parquet",
}
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
#: files per source handed to DuckDB's sniffer; types come from these, not from every file
SAMPLE_FILES = {"json": 16, "csv": 4, "parquet": 16}
#: rows of the sample the rehearsal load reads
REHEARSAL_ROWS = 20_000
#: files at the folder's top level form one source per name pattern, up to this many
MAX_TOP_LEVEL_GROUPS = 12
#: bytes read to recognise a file or a JSON layout
PEEK_BYTES = 1 << 16
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: a file name's tokens: separators, and the runs between them
_TOKENS = re.compile(r"[-_. ]+|[^-_. ]+")


@dataclass(frozen=True)
class DataFile:
    """One file that looks like data, as found on disk."""

    path: str  # absolute (not symlink-resolved, as the loader's glob sees it)
    rel: PurePosixPath  # relative to the inspected folder
    format: Format
    gzip: bool
    #: "gzip" when only the magic bytes say so (DuckDB's "auto" goes by the name), else "auto"
    compression: str
    size: int
    #: the data suffix as written (".json.gz"; "" for a name without one)
    suffix: str

    @property
    def stem(self) -> str:
        name = self.rel.name
        return name[: len(name) - len(self.suffix)] if self.suffix else name


@dataclass(frozen=True)
class Skipped:
    rel: str
    reason: str


@dataclass
class DraftColumn:
    name: str
    type: str
    #: the key or header the column comes from, when it differs from ``name``
    original: str | None = None
    note: str | None = None
    #: no nulls and no repeats in the sampled rows (a candidate key)
    unique: bool = False
    #: "s" or "ms" for an integer column of epoch times (by name and magnitude), else None
    epoch: str | None = None


@dataclass
class DraftSource:
    """A source and its staging table, as init will write them."""

    name: str
    top: str  # subfolder of the data root holding the files; "" for the root itself
    format: Format
    files: list[DataFile]
    compression: str = "auto"
    header: bool = True
    delimiter: str = ","
    quote: str = '"'
    layout: str = ""
    label: str = ""  # a name suggested by the files' name pattern
    columns: list[DraftColumn] = field(default_factory=list)
    include: list[str] | None = None
    jsonpaths: list[str] | None = None
    jsonpaths_file: str | None = None
    notes: list[str] = field(default_factory=list)
    sampled: int = 0
    #: rows in the whole source, estimated from the sample's rows per byte
    rows: int = 0
    #: whether the sample was every row of the source (then ``unique`` holds for the whole data)
    complete: bool = False

    @property
    def staging(self) -> str:
        return f"staging_{self.name}"

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class Inspection:
    folder: Path  # absolute
    found: int  # data files found, including any in groups left out
    sources: list[DraftSource]
    skipped: list[Skipped]
    warnings: list[str]
    seconds: float

    @property
    def data_files(self) -> int:
        return sum(len(s.files) for s in self.sources)


@dataclass
class InitResult:
    inspection: Inspection
    output: Path
    written: list[Path]
    plan: PlannedRun
