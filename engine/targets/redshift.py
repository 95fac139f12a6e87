"""Amazon Redshift on redshift-connector: COPY from S3 with an IAM role, dist and sort keys.

Redshift reads the files itself, in parallel across its slices, so a load is one
COPY per source and the engine never touches the data.  Settings are target options
that refer to the environment (``${REDSHIFT_HOST}``...) or to the original project's
``dwh.cfg`` given with ``--config``; the password and any key are secrets, redacted
from every output.  A failed COPY is explained from STL_LOAD_ERRORS (or SYS_LOAD_ERROR_DETAIL on
Serverless): file, line, column and reason.
"""

from __future__ import annotations

from typing import Any

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, TargetError
from engine.inputs import LoadFiles
from engine.targets.base import Adapter, Capabilities, LoadSpec

#: COPY's ENCODING names for the source encodings Redshift can read
#: load error "Input data exceeded the acceptable range for the data type"; on a VARCHAR its reason reads
#: "String length exceeds DDL length" (https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html)
TOO_LONG = "1204"
ENCODINGS = {"utf-8": "UTF8", "utf8": "UTF8", "utf-16": "UTF16", "utf-16le": "UTF16LE", "utf-16be": "UTF16BE"}


class RedshiftAdapter(Adapter):
    name = "redshift"
    sqlglot_dialect = "redshift"
    capabilities = Capabilities(transactional_ddl=True, copy_from_s3=True, dist_sort_keys=True)
    required_options = ("host", "database", "user", "password")

    def describe(self) -> str:
        user, host, db = (self.option(k) or "?" for k in ("user", "host", "database"))
        return f"redshift {user}@{host}:{self.option('port', '5439')}/{db}"

    def _connect(self) -> Any:
        import redshift_connector

        port = self.option("port", "5439") or "5439"
        if not port.isdigit():
            raise ConfigError([Issue(f"port must be a number, got {port!r}",
                                     self.target.option_locations.get("port", self.target.location))])
        try:
            conn = redshift_connector.connect(
                host=self.option("host") or "", port=int(port), database=self.option("database") or "",
                user=self.option("user") or "", password=self.option("password") or "",
                timeout=int(self.option("connect_timeout", "30") or 30))
        except Exception as exc:
            raise TargetError(f"cannot connect to {self.describe()}: {self._error_text(exc)}") from None
        # The runner's explicit BEGIN/COMMIT are the only transaction boundaries.
        conn.autocommit = True
        return conn

    def _credentials(self, source: Source) -> dict[str, str]:
        role = self.option("iam_role")
        if role:
            return {"iam_role": role}
        key_id, secret = self.option("access_key_id"), self.option("secret_access_key")
        if key_id and secret:
            creds = {"access_key_id": key_id, "secret_access_key": secret}
            if token := self.option("session_token"):
                creds["session_token"] = token
            return creds
        raise ConfigError([Issue(f"target '{self.target.name}' cannot COPY source '{source.name}': it needs "
                                 "iam_role (or access_key_id and secret_access_key)", self.target.location,
                                 "add iam_role: ${REDSHIFT_IAM_ROLE_ARN} under the target")])

    def manifest_prefix(self, source: Source) -> str | None:
        return source.manifest_prefix or self.option("manifest_prefix")

    def tracks_files(self, sources: list[Source]) -> bool:
        """Incremental runs need a writable prefix for the manifests, for every source without a fixed one."""
        return bool(sources) and all(self.manifest_prefix(s) and not s.manifest for s in sources)

    def stage_files(self, source: Source, files: list[Any], cache: Any) -> tuple[str, ...]:
        """The manifest of exactly ``files``, written under the manifest prefix: what the COPY then reads."""
        from engine.targets.s3_manifest import write_manifest

        prefix = self.manifest_prefix(source)
        assert prefix is not None
        return (write_manifest(source, prefix, files),)

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles | None = None) -> LoadSpec:
        """COPY reads the prefix itself; at run time ``files`` may hold the manifest a run wrote
        (stage_files): then COPY loads exactly the objects it lists."""
        where = source.location
        if not source.path.startswith("s3://"):
            raise ConfigError([Issue(f"source '{source.name}' is {source.path}: Redshift COPY reads S3 "
                                     "(s3://bucket/prefix)", where,
                                     "pass --var data_root=s3://your-bucket/prefix, or upload the files")])
        if source.include:
            raise ConfigError([Issue(f"source '{source.name}': include globs cannot be applied by COPY, "
                                     "which loads every object under the prefix", where,
                                     "list exactly the files to load in a manifest (manifest: s3://...)")])
        jsonpaths = "auto ignorecase" if source.json_keys == "ignorecase" else "auto"
        if source.jsonpaths:
            if source.format != "json":
                raise ConfigError([Issue("jsonpaths applies to format json only", where)])
            if not source.jsonpaths.startswith("s3://"):
                raise ConfigError([Issue(f"Redshift reads the JSONPaths file from S3, not {source.jsonpaths}",
                                         where)])
            jsonpaths = source.jsonpaths
        if source.manifest and not source.manifest.startswith("s3://"):
            raise ConfigError([Issue(f"the manifest must be an S3 object, not {source.manifest}", where)])
        encoding = ENCODINGS.get(source.encoding.lower())
        if encoding is None:
            raise ConfigError([Issue(f"Redshift COPY cannot read {source.encoding} files "
                                     "(UTF-8 and UTF-16 only)", where)])
        # COPY cannot sniff compression: gzip must be said, by the source or by the file name.
        gzip = source.compression == "gzip" or (
            source.compression == "auto" and (source.manifest or source.path).endswith(".gz"))
        written = files.paths[0] if files is not None and files.paths else None
        context: dict[str, Any] = {
            "table": table.name, "columns": [c.name for c in table.columns],
            "location": written or source.manifest or source.path, "manifest": bool(written or source.manifest),
            "credentials": self._credentials(source),
            "region": source.region or self.option("region"),
            "format": source.format, "jsonpaths": jsonpaths, "gzip": gzip,
            "header": source.header, "delimiter": source.delimiter, "quote": source.quote,
            "null_string": source.null_string, "encoding": encoding,
            "timeformat": source.timeformat, "dateformat": source.dateformat,
            "max_errors": source.max_errors, "compupdate": source.compupdate, "statupdate": source.statupdate,
            "on_error": source.on_error,
            "accept_invalid_chars": source.accept_invalid_chars, "truncate_columns": source.truncate_columns,
            "blanks_as_null": source.blanks_as_null, "empty_as_null": source.empty_as_null,
            # the load errors of this COPY are those of files under the prefix (a manifest lists any files)
            "prefix": None if source.manifest and not written else source.path,
        }
        return LoadSpec("copy.sql", context, diagnose="load_errors.sql")

    def explain_failure(self, error: TargetError, diagnose: tuple[str, ...]) -> TargetError:
        """Add what the load-error views say about the failed COPY: file, line, column, reason.

        ``diagnose`` is load_errors.sql: statements (the ROLLBACK the aborted transaction needs), then
        queries tried in order, STL_LOAD_ERRORS first and SYS_LOAD_ERROR_DETAIL (Serverless) after; the
        first that answers with rows explains the failure.
        """
        if not diagnose:
            return error
        queries = [sql for sql in diagnose if sql.lstrip()[:6].upper() == "SELECT"]
        failures: list[str] = []
        try:
            for sql in diagnose:
                if sql not in queries:
                    self.execute(sql)
        except TargetError as second:
            return TargetError(f"{error.message}\n(could not read the load errors: {second.message})",
                               error.step, error.sql)
        for sql in queries:
            try:
                rows = self.fetch(sql)
            except TargetError as second:  # e.g. STL views on Serverless
                failures.append(second.message)
                continue
            if rows:
                return TargetError("\n".join([error.message, *_describe(sql, rows)]), error.step, error.sql)
        if failures and len(failures) == len(queries):
            return TargetError(f"{error.message}\n(could not read the load errors: {failures[-1]})",
                               error.step, error.sql)
        return error


def _describe(sql: str, rows: list[tuple[Any, ...]]) -> list[str]:
    view = "sys_load_error_detail" if "sys_load_error_detail" in sql else "stl_load_errors"
    lines = [f"{view} ({len(rows)} shown):"]
    too_long = False
    for row in rows:
        if len(row) < 7:  # a user's load_errors.sql may select other columns: shown as they are
            lines.append("  " + ", ".join(str(v).strip() for v in row))
            continue
        filename, line, column, col_type, value, code, reason = tuple(row)[:7]
        shown = "" if value is None else f"; value {str(value).strip()!r}"
        lines.append(f"  {str(filename).strip()} line {line}, column {str(column).strip()} "
                     f"({str(col_type).strip()}): {str(reason).strip()} [code {code}]{shown}")
        too_long = too_long or (str(code).strip() == TOO_LONG
                                and str(col_type).strip().lower().startswith(("varchar", "char", "bpchar")))
    if too_long:
        lines.append("  a value is longer than its VARCHAR column: measure the data again (etl-engine explain "
                     "--measure), declare varchar(n) in the YAML, or let COPY cut it with truncate_columns: true")
    return lines

ADAPTER = RedshiftAdapter
