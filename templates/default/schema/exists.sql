{#- Whether the target's schema: is there already (then nothing is created: CREATE SCHEMA needs a privilege on
    the database that a least-privileged loader into an existing schema need not have). -#}
SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = {{ schema | literal }}
