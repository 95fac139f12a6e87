{#- Capabilities.unlogged_staging: the pipeline's UNLOGGED tables whose main fork is empty. Crash recovery
    resets every unlogged table to empty (CREATE TABLE, "UNLOGGED", in the PostgreSQL manual) while
    _etl_files still lists the files it had loaded, so such a table is rebuilt from all its files (and
    what reads it, after it) instead of an incremental run appending only new files to an empty table.
    A staging table that loaded no rows at all is reloaded too: harmless, it had nothing to lose. -#}
SELECT c.relname FROM pg_catalog.pg_class AS c
WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
  AND c.relname IN ({% for t in tables %}{{ t | literal }}{{ ", " if not loop.last }}{% endfor %})
  AND c.relkind = 'r'
  AND c.relpersistence = 'u'
  AND pg_catalog.pg_relation_size(c.oid) = 0
