"""A target's ``schema:``: where everything the engine creates lands, bookkeeping included.

The schema is made the only entry of the search path on every connection (templates/default/schema/),
rather than qualifying names: user SQL, checks and queries name tables unqualified, and the
search path makes them, the shadows, the renames and the bookkeeping all resolve there with no
rewriting.  A schema that is not there yet is created first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import ConfigError, Issue

if TYPE_CHECKING:
    from engine.render import SqlRenderer
    from engine.targets.base import Adapter, SchemaSql


def schema_sql(adapter: Adapter, r: SqlRenderer) -> SchemaSql | None:
    """The statements that make the target's ``schema:`` current, or None when it names none."""
    import re

    from engine.targets.base import SchemaSql

    schema = adapter.option("schema")
    if not schema:
        return None
    where = adapter.target.option_locations.get("schema", adapter.target.location)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
        raise ConfigError(
            [
                Issue(
                    f"schema must be a plain SQL identifier, got {schema!r}",
                    where,
                    "letters, digits and underscores, starting with a letter or underscore",
                )
            ]
        )
    if schema.lower().startswith(("pg_", "information_schema")):
        raise ConfigError([Issue(f"schema {schema!r} is a system schema", where, "name a schema of your own")])
    return SchemaSql(
        r.template("schema/exists.sql", schema=schema),
        r.template("schema/create.sql", schema=schema),
        r.template("schema/use.sql", schema=schema),
    )
