{#- Publish.RENAME_BACKUP, inside the run's transaction after every check passed: a backup left by a
    run whose cleanup failed goes first; the live table becomes the backup and the shadow takes its
    name; views that depended on the live table (by identity, as normal views do) are pointed at the
    new one with their own definitions, so they keep working and keep their own grants. After COMMIT,
    publish_cleanup.sql drops the backup. No live table is ever dropped before its replacement is in
    place, and readers that were blocked on the old table read it, not an error. -#}
DROP TABLE IF EXISTS {{ backup | ident }};
{% if exists %}
ALTER TABLE {{ table | ident }} RENAME TO {{ backup | ident }};
{% endif %}
ALTER TABLE {{ shadow | ident }} RENAME TO {{ table | ident }}
{%- for name, definition in views %};
CREATE OR REPLACE VIEW {{ name | ident }} AS {{ definition }}
{%- endfor %}
