{#- Publish.RENAME_BACKUP: the views that depend on the live tables by identity (PostgreSQL-family
    catalogs: a view's rewrite rule depends on the tables it reads), with their definitions, read
    before the renames. Late-binding views (Redshift's WITH NO SCHEMA BINDING) have no such
    dependency and need nothing: they find the new table by name. -#}
SELECT DISTINCT t.relname AS table_name, v.relname AS view_name, pg_get_viewdef(v.oid) AS definition
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_rewrite w ON w.oid = d.objid
JOIN pg_catalog.pg_class v ON v.oid = w.ev_class
JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
WHERE t.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
  AND v.oid <> t.oid
  AND v.relkind = 'v'
  AND t.relname IN ({% for t in tables %}{{ t | literal }}{{ ", " if not loop.last }}{% endfor %})
