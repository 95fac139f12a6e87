"""COPY manifests for incremental Redshift runs: exactly the objects a run loads, written to S3.

A run lists the source's prefix (boto3), keeps the objects ``_etl_files`` does not hold yet, and
writes their URLs to a manifest under the writable ``manifest_prefix:``; COPY ... MANIFEST then
loads those objects and no others (https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html),
so what the warehouse loaded and what ``_etl_files`` records are the same list.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from engine.errors import TargetError

if TYPE_CHECKING:
    from engine.config import Source
    from engine.inputs import FileEntry


def manifest_body(files: list[FileEntry]) -> str:
    """The manifest JSON: every object mandatory (a vanished one fails the COPY), with its size, which
    COPY needs for Parquet and ORC and which costs nothing elsewhere."""
    return json.dumps(
        {"entries": [{"url": f.location, "mandatory": True, "meta": {"content_length": f.size}} for f in files]},
        indent=1,
    )


def write_manifest(source: Source, prefix: str, files: list[FileEntry]) -> str:
    """Upload the manifest of ``files`` under ``prefix``; return its s3:// URL."""
    from engine.sources.s3 import client, split_url

    bucket, key_prefix = split_url(prefix.rstrip("/"))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    key = "/".join(p for p in (key_prefix, source.name, f"{stamp}-{uuid.uuid4().hex[:8]}.manifest") if p)
    try:
        client(source.s3).put_object(
            Bucket=bucket, Key=key, Body=manifest_body(files).encode(), ContentType="application/json"
        )
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TargetError(
            f"source '{source.name}': cannot write the COPY manifest to s3://{bucket}/{key}: {text}",
            step=f"load:{source.name}",
        ) from None
    return f"s3://{bucket}/{key}"
