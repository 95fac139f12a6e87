"""Amazon Redshift on redshift-connector: COPY from S3 with an IAM role, dist and sort keys.

Redshift reads the files itself, in parallel across its slices, so a load is one
COPY per source and the engine never touches the data.  Settings are target options
that refer to the environment (``${REDSHIFT_HOST}``...) or to the original project's
``dwh.cfg`` given with ``--config``; the password and any key are secrets, redacted
from every output.  Serverless workgroups, IAM and Secrets Manager authentication and the
Data API (``method: data_api``) are chosen by options (engine.aws.redshift_connect).
A failed COPY is explained from STL_LOAD_ERRORS: file, line,
column and reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from engine.config import Source, StagingTable
from engine.errors import ConfigError, Issue, TargetError
from engine.inputs import LoadFiles
from engine.targets.base import Adapter, Capabilities, ErrorLookup, LoadSpec, Lock, Option, Publish, TemplateCall

if TYPE_CHECKING:
    from engine.render import SqlRenderer

#: COPY's ENCODING names for the source encodings Redshift can read
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
        "statement_timeout": Option("Data API: seconds to wait for one statement before cancelling it, "
                                    "default 3600", "int"),
        "iam_role": Option("role ARN COPY reads S3 with"),
        "access_key_id": Option("COPY credentials instead of iam_role (with secret_access_key)", "secret"),
        "secret_access_key": Option("COPY credentials instead of iam_role", "secret"),
        "session_token": Option("COPY credentials: temporary session token", "secret"),
        "region": Option("the S3 region COPY reads from (a source's own region: wins)"),
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
            issues.append(Issue(f"method must be driver or data_api, got {method!r}",
                                where.get("method", self.target.location)))
        if auth and auth not in ("password", "iam", "secret"):
            issues.append(Issue(f"auth must be password, iam or secret, got {auth!r}",
                                where.get("auth", self.target.location)))
        for key in required(self.option, method):
            if key not in self.target.options:
                issues.append(Issue(f"target '{self.target.name}' needs '{key}'", self.target.location,
                                    f"add {key}: ${{VAR}} under the target and set VAR in the environment"))
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
            raise ConfigError([Issue(f"port must be a number, got {port!r}",
                                     self.target.option_locations.get("port", self.target.location))])
        kwargs = redshift_connect.driver_kwargs(self.option, int(port),
                                                int(self.option("connect_timeout", "30") or 30))
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
        raise ConfigError([Issue(f"target '{self.target.name}' cannot COPY source '{source.name}': it needs "
                                 "iam_role (or access_key_id and secret_access_key)", self.target.location,
                                 "add iam_role: ${REDSHIFT_IAM_ROLE_ARN} under the target")])

    def load_spec(self, source: Source, table: StagingTable, files: LoadFiles | None = None) -> LoadSpec:
        """COPY reads the prefix itself; ``files`` (the engine's local view) does not apply."""
        where = source.location
        if not source.path.startswith("s3://"):
            raise ConfigError([Issue(f"source '{source.name}' is {source.path}: Redshift COPY reads S3 "
                                     "(s3://bucket/prefix)", where,
                                     "pass --var data_root=s3://your-bucket/prefix, or upload the files")])
        if source.include:
            raise ConfigError([Issue(f"source '{source.name}': include globs cannot be applied by COPY, "
                                     "which loads every object under the prefix", where,
                                     "list exactly the files to load in a manifest (manifest: s3://...)")])
        jsonpaths = "auto"
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
        from engine.sources.csv_header import s3_copy_columns

        columns = s3_copy_columns(table, source) if source.format == "csv" else table.columns
        context: dict[str, Any] = {
            "table": table.name, "columns": [c.name for c in columns],
            "location": source.manifest or source.path, "manifest": bool(source.manifest),
            "credentials": self._credentials(source),
            "region": source.region or self.option("region"),
            "format": source.format, "jsonpaths": jsonpaths, "gzip": gzip,
            "header": source.header, "delimiter": source.delimiter, "quote": source.quote,
            "null_string": source.null_string, "encoding": encoding,
            "timeformat": source.timeformat, "dateformat": source.dateformat,
            "max_errors": source.max_errors, "compupdate": source.compupdate, "statupdate": source.statupdate,
            "on_error": source.on_error,
        }
        return LoadSpec("copy.sql", context, diagnose="load_errors.sql")

    def explain_failure(self, error: TargetError, diagnose: TemplateCall, renderer: SqlRenderer) -> TargetError:
        """Add what STL_LOAD_ERRORS says about the failed COPY: file, line, column, reason."""
        diagnose_sql = renderer.statements(diagnose.template, **diagnose.context)
        try:
            # The failed COPY aborted the transaction: end it, then ask the system table.
            for sql in diagnose_sql[:-1]:
                self.execute(sql)
            rows = self.fetch(diagnose_sql[-1])
        except TargetError as second:
            return TargetError(f"{error.message}\n(could not read stl_load_errors: {second.message})",
                               error.step, error.sql)
        if not rows:
            return error
        lines = [error.message, f"stl_load_errors ({len(rows)} shown):"]
        for filename, line, column, col_type, value, code, reason in (tuple(r)[:7] for r in rows):
            lines.append(f"  {str(filename).strip()} line {line}, column {str(column).strip()} "
                         f"({str(col_type).strip()}): {str(reason).strip()} [code {code}]; "
                         f"value {str(value).strip()!r}")
        return TargetError("\n".join(lines), error.step, error.sql)


ADAPTER = RedshiftAdapter
