"""Amazon Redshift on redshift-connector: COPY from S3 with an IAM role, dist and sort keys.

Redshift reads the files itself, in parallel across its slices, so a load is one
COPY per source and the engine never touches the data.  Settings are target options
that refer to the environment (``${REDSHIFT_HOST}``...) or to the original project's
``dwh.cfg`` given with ``--config``; the password and any key are secrets, redacted
from every output.  Serverless workgroups, IAM and Secrets Manager authentication and the
Data API (``method: data_api``) are chosen by options (engine.aws.redshift_connect).
A failed COPY is explained from STL_LOAD_ERRORS (or SYS_LOAD_ERROR_DETAIL on
Serverless): file, line, column and reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, TargetError
from engine.inputs import LoadFiles
from engine.targets.base import Adapter, LoadSpec, TemplateCall
from engine.targets.contract import Capabilities, ErrorLookup, Lock, Option, Publish

if TYPE_CHECKING:
    from engine.render import SqlRenderer

#: COPY's ENCODING names for the source encodings Redshift can read
#: load error "Input data exceeded the acceptable range for the data type"; on a VARCHAR its reason reads
#: "String length exceeds DDL length" (https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html)
TOO_LONG = "1204"
ENCODINGS = {"utf-8": "UTF8", "utf8": "UTF8", "utf-16": "UTF16", "utf-16le": "UTF16LE", "utf-16be": "UTF16BE"}


class RedshiftAdapter(Adapter):
    name = "redshift"
    sqlglot_dialect = "redshift"
    capabilities = Capabilities(transactional_ddl=True, copy_from_s3=True, dist_sort_keys=True)
    # dbt-redshift's table materialization: rename the live table away, the new one in, commit, then
    # drop the old one; a DROP of the live table inside the transaction fails on dependent views, loses
    # its grants and fails readers queued on it (dbt-core issues 825 and 3112)
    publish = Publish.RENAME_BACKUP
    # no advisory locks on Redshift: LOCK on a per-pipeline table, bounded by statement_timeout
    lock = Lock.BLOCKING
    error_lookup = ErrorLookup.SYSTEM_TABLES
    #: every option this adapter reads; which must be set depends on how the target connects
    #: (engine.aws.redshift_connect.required), so none is required here
    options: ClassVar[dict[str, Option]] = {
        "host": Option("endpoint host name (provisioned cluster or serverless workgroup endpoint)"),
        "port": Option("port, default 5439", "int"),
        "database": Option("database name"),
        "user": Option("database user (password auth)"),
        "password": Option("password (password auth); a ${NAME} reference, never the value", "secret"),
        "connect_timeout": Option("seconds to wait for the driver to connect, default 30", "int"),
        "auth": Option("password | iam | secret; default: secret if secret_arn, password if password, else iam"),
        "workgroup": Option("Redshift Serverless workgroup name: makes the target serverless"),
        "cluster_identifier": Option("provisioned cluster id (IAM auth and the Data API need it when no workgroup)"),
        "db_user": Option("database user for IAM auth or the Data API on a provisioned cluster"),
        "secret_arn": Option("Secrets Manager secret (username, password) to connect with", "secret"),
        "aws_profile": Option("AWS profile for IAM auth and the Data API; default boto3's credential chain"),
        "aws_region": Option("the warehouse's AWS region for IAM auth and the Data API; default: region"),
        "method": Option("driver (default: redshift-connector) | data_api (boto3 redshift-data, no open port)"),
        "session_keep_alive": Option("Data API: seconds an idle session stays open, default 600", "int"),
        "statement_timeout": Option(
            "Data API: seconds to wait for one statement before cancelling it, default 3600", "int"
        ),
        "iam_role": Option("role ARN COPY reads S3 with"),
        "access_key_id": Option("COPY credentials instead of iam_role (with secret_access_key)", "secret"),
        "secret_access_key": Option("COPY credentials instead of iam_role", "secret"),
        "session_token": Option("COPY credentials: temporary session token", "secret"),
        "region": Option("the S3 region COPY reads from (a source's own region: wins)"),
        "schema": Option("the schema everything the engine creates lands in (created when missing)"),
        "manifest_prefix": Option(
            "a writable s3:// prefix for COPY manifests of only the new objects: "
            "makes runs incremental (a source may set its own)"
        ),
    }
    #: connection methods; a subclass may fix one (redshift_data_api)
    default_method: ClassVar[str] = "driver"

    @property
    def serverless(self) -> bool:
        """Redshift Serverless (a workgroup): no STL views; failure diagnosis reads the SYS views instead."""
        return bool(self.option("workgroup"))

    @property
    def method(self) -> str:
        return (self.option("method", self.default_method) or self.default_method).strip().lower()

    def describe(self) -> str:
        db = self.option("database") or "?"
        via = " via the Data API" if self.method == "data_api" else ""
        if self.serverless:
            return f"redshift serverless workgroup {self.option('workgroup')}/{db}{via}"
        if self.method == "data_api" or not self.option("host"):
            return f"redshift cluster {self.option('cluster_identifier') or '?'}/{db}{via}"
        user = self.option("user") or self.option("db_user") or "?"
        return f"redshift {user}@{self.option('host')}:{self.option('port', '5439')}/{db}"

    def unresolved(self) -> list[Issue]:
        from engine.aws.redshift_connect import required

        issues = super().unresolved()
        where = self.target.option_locations
        method, auth = self.method, (self.option("auth") or "").strip().lower()
        if method not in ("driver", "data_api"):
            issues.append(
                Issue(f"method must be driver or data_api, got {method!r}", where.get("method", self.target.location))
            )
        if auth and auth not in ("password", "iam", "secret"):
            issues.append(
                Issue(f"auth must be password, iam or secret, got {auth!r}", where.get("auth", self.target.location))
            )
        for key in required(self.option, method):
            if key not in self.target.options:
                issues.append(
                    Issue(
                        f"target '{self.target.name}' needs '{key}'",
                        self.target.location,
                        f"add {key}: ${{VAR}} under the target and set VAR in the environment",
                    )
                )
        return issues

    def _connect(self) -> Any:
        from engine.aws import redshift_connect

        if self.method == "data_api":
            try:
                return redshift_connect.data_api_connection(self.option)
            except ConfigError:
                raise
            except Exception as exc:
                raise TargetError(f"cannot reach the Data API for {self.describe()}: {self._error_text(exc)}") from None
        import redshift_connector

        port = self.option("port", "5439") or "5439"
        if not port.isdigit():
            raise ConfigError(
                [
                    Issue(
                        f"port must be a number, got {port!r}",
                        self.target.option_locations.get("port", self.target.location),
                    )
                ]
            )
        kwargs = redshift_connect.driver_kwargs(self.option, int(port), int(self.option("connect_timeout", "30") or 30))
        try:
            conn = redshift_connector.connect(**kwargs)
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
        raise ConfigError(
            [
                Issue(
                    f"target '{self.target.name}' cannot COPY source '{source.name}': it needs "
                    "iam_role (or access_key_id and secret_access_key)",
                    self.target.location,
                    "add iam_role: ${REDSHIFT_IAM_ROLE_ARN} under the target",
                )
            ]
        )

    def manifest_prefix(self, source: Source) -> str | None:
        return source.manifest_prefix or self.option("manifest_prefix")

    def tracks_files(self, sources: list[Source]) -> bool:
        """Incremental runs need a writable prefix for the manifests, for every source without a fixed one."""
        return bool(sources) and all(self.manifest_prefix(s) and not s.manifest for s in sources)

    def stage_files(self, source: Source, files: list[Any], cache: Any) -> tuple[str, ...]:
        """The manifest of exactly ``files``, written under the manifest prefix: what the COPY then reads."""
        from engine.sources.manifest import write_manifest

        prefix = self.manifest_prefix(source)
        assert prefix is not None
        return (write_manifest(source, prefix, files),)

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles | None = None) -> LoadSpec:
        """COPY reads the prefix itself; at run time ``files`` may hold the manifest a run wrote
        (stage_files): then COPY loads exactly the objects it lists."""
        where = source.location
        if not source.path.startswith("s3://"):
            raise ConfigError(
                [
                    Issue(
                        f"source '{source.name}' is {source.path}: Redshift COPY reads S3 (s3://bucket/prefix)",
                        where,
                        "pass --var data_root=s3://your-bucket/prefix, or upload the files",
                    )
                ]
            )
        if source.include:
            raise ConfigError(
                [
                    Issue(
                        f"source '{source.name}': include globs cannot be applied by COPY, "
                        "which loads every object under the prefix",
                        where,
                        "list exactly the files to load in a manifest (manifest: s3://...)",
                    )
                ]
            )
        jsonpaths = "auto ignorecase" if source.json_keys == "ignorecase" else "auto"
        if source.jsonpaths:
            if source.format != "json":
                raise ConfigError([Issue("jsonpaths applies to format json only", where)])
            if not source.jsonpaths.startswith("s3://"):
                raise ConfigError([Issue(f"Redshift reads the JSONPaths file from S3, not {source.jsonpaths}", where)])
            jsonpaths = source.jsonpaths
        if source.manifest and not source.manifest.startswith("s3://"):
            raise ConfigError([Issue(f"the manifest must be an S3 object, not {source.manifest}", where)])
        encoding = ENCODINGS.get(source.encoding.lower())
        if encoding is None:
            raise ConfigError(
                [Issue(f"Redshift COPY cannot read {source.encoding} files (UTF-8 and UTF-16 only)", where)]
            )
        # COPY cannot sniff compression: gzip must be said, by the source or by the file name.
        gzip = source.compression == "gzip" or (
            source.compression == "auto" and (source.manifest or source.path).endswith(".gz")
        )
        written = files.paths[0] if files is not None and files.paths else None
        from engine.sources.csv_header import s3_copy_columns

        columns = s3_copy_columns(table, source) if source.format == "csv" else table.columns
        context: dict[str, Any] = {
            "table": table.name,
            "columns": [c.name for c in columns],
            "location": written or source.manifest or source.path,
            "manifest": bool(written or source.manifest),
            "credentials": self._credentials(source),
            "region": source.region or self.option("region"),
            "format": source.format,
            "jsonpaths": jsonpaths,
            "gzip": gzip,
            "header": source.header,
            "delimiter": source.delimiter,
            "quote": source.quote,
            "null_string": source.null_string,
            "encoding": encoding,
            "timeformat": source.timeformat,
            "dateformat": source.dateformat,
            "max_errors": source.max_errors,
            "compupdate": source.compupdate,
            "statupdate": source.statupdate,
            "on_error": source.on_error,
            "accept_invalid_chars": source.accept_invalid_chars,
            "truncate_columns": source.truncate_columns,
            "blanks_as_null": source.blanks_as_null,
            "empty_as_null": source.empty_as_null,
            # the load errors of this COPY are those of files under the prefix (a manifest lists any files)
            "prefix": None if source.manifest and not written else source.path,
        }
        return LoadSpec("copy.sql", context, diagnose="load_errors.sql")

    def explain_failure(self, error: TargetError, call: TemplateCall, renderer: SqlRenderer) -> TargetError:
        """Add what the load-error views say about the failed COPY: file, line, column, reason.

        The diagnosis is load_errors.sql: statements (the ROLLBACK the aborted transaction needs), then
        queries tried in order, STL_LOAD_ERRORS first and SYS_LOAD_ERROR_DETAIL (Serverless) after; the
        first that answers with rows explains the failure.
        """
        diagnose = renderer.statements(call.template, **call.context)
        if not diagnose:
            return error
        queries = [sql for sql in diagnose if sql.lstrip()[:6].upper() == "SELECT"]
        failures: list[str] = []
        try:
            for sql in diagnose:
                if sql not in queries:
                    self.execute(sql)
        except TargetError as second:
            return TargetError(
                f"{error.message}\n(could not read the load errors: {second.message})", error.step, error.sql
            )
        for sql in queries:
            try:
                rows = self.fetch(sql)
            except TargetError as second:  # e.g. STL views on Serverless
                failures.append(second.message)
                continue
            if rows:
                return TargetError("\n".join([error.message, *_describe(sql, rows)]), error.step, error.sql)
        if failures and len(failures) == len(queries):
            return TargetError(
                f"{error.message}\n(could not read the load errors: {failures[-1]})", error.step, error.sql
            )
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
        lines.append(
            f"  {str(filename).strip()} line {line}, column {str(column).strip()} "
            f"({str(col_type).strip()}): {str(reason).strip()} [code {code}]{shown}"
        )
        too_long = too_long or (
            str(code).strip() == TOO_LONG and str(col_type).strip().lower().startswith(("varchar", "char", "bpchar"))
        )
    if too_long:
        lines.append(
            "  a value is longer than its VARCHAR column: measure the data again (etl-engine explain "
            "--measure), declare varchar(n) in the YAML, or let COPY cut it with truncate_columns: true"
        )
    return lines


ADAPTER = RedshiftAdapter
