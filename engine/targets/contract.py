"""How warehouses differ, declared: what an adapter can do (Capabilities), how a full run's tables take the
live ones' place (Publish), how runs keep out of each other (Lock), where a failed load's details come from
(ErrorLookup) and the target options it takes (Option).  The core reads these, never a warehouse's name;
engine/targets/base.py holds the adapter that declares them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Publish(enum.Enum):
    """How a full run's shadow tables take the live tables' place."""

    #: inside the run's transaction: drop the live table, rename the shadow (publish.sql). Right where
    #: nothing binds to a table's identity: no views by OID, no grants, no readers in other sessions
    SWAP = "swap"
    #: inside the transaction: rename the live table to a backup, rename the shadow into place, rebind
    #: the views that depended on the old table and grant what the YAML declares; after COMMIT, drop the
    #: backups (publish_rename.sql, publish_cleanup.sql). A DROP of a live table would fail on dependent
    #: views, lose its grants and make readers blocked on it fail with "table dropped by concurrent
    #: transaction" (dbt-core issues 825 and 3112; dbt-redshift's table materialization does this too)
    RENAME_BACKUP = "rename_backup"


class Lock(enum.Enum):
    """How a run keeps another run of the same pipeline out."""

    #: the warehouse admits one writing connection (DuckDB's file lock): ``open`` raises RunLocked,
    #: retried for ``--wait`` seconds; lock.sql renders nothing
    EXCLUSIVE_CONNECTION = "exclusive_connection"
    #: lock.sql is one query, first after BEGIN, answering true when the lock was taken (PostgreSQL's
    #: transaction-scoped advisory lock); polled until ``--wait`` runs out
    TRY = "try"
    #: lock.sql blocks until the lock is free (Redshift's LOCK); the template bounds the wait itself
    #: with ``wait_ms`` (statement_timeout), and a timeout is reported as RunLocked
    BLOCKING = "blocking"


class ErrorLookup(enum.Enum):
    """Where the details of a failed load come from."""

    #: the driver's message says it all
    NONE = "none"
    #: re-read the failed load's files with the checked (on_error: skip) reader: file, line, reason
    RECHECK = "recheck"
    #: the warehouse's own load-error tables (Redshift's STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL)
    SYSTEM_TABLES = "system_tables"


@dataclass(frozen=True)
class Capabilities:
    #: DDL inside a transaction rolls back (DuckDB, PostgreSQL, Redshift): one run, one transaction.
    #: Without it a run is not atomic across tables: shadows are built outside a transaction, checked,
    #: then published table by table (docs/targets.md, "Warehouses whose DDL commits")
    transactional_ddl: bool = True
    #: the warehouse reads S3 itself (Redshift COPY); otherwise the engine brings the files
    copy_from_s3: bool = False
    #: DISTKEY/SORTKEY hints mean something here; elsewhere the planner does not pass them on
    dist_sort_keys: bool = False
    #: incremental runs (load new files into the live tables, merge by key) are possible
    incremental: bool = True
    #: files per INSERT into the file manifest: a few hundred VALUES rows stay far below Redshift's 16 MB
    files_per_statement: int = 500
    #: staging tables skip the write-ahead log (PostgreSQL's UNLOGGED): rebuilt from their files, they are
    #: cheap to recover, but crash recovery empties them, so a run reloads one found empty (state/emptied.sql)
    unlogged_staging: bool = False


@dataclass(frozen=True)
class Option:
    """A target option an adapter accepts."""

    help: str
    kind: str = "str"  # str | int | path | secret | bool
    required: bool = False
