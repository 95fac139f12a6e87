{#- PostgreSQL: the numbers of checks/key_scan.sql (default), the same ones, computed with less work. The
    key's duplicates and NULLs come from one grouped pass over the key columns (GROUP BY puts NULLs in one
    group, as the default's duplicate count does). Each foreign key's orphans are one NOT EXISTS, which
    PostgreSQL plans as a hash anti-join: the parent's keys are hashed as they are (a duplicated parent key
    cannot repeat a child row in an anti-join), where the default's LEFT JOIN first takes their DISTINCT, a
    second hash of every parent key built by each parallel worker (1M events: the time table's 1M keys;
    the songplays scan 1.4 s -> 0.9 s). Not NOT IN: PostgreSQL runs that once per row when the keys do
    not fit work_mem; an anti-join spills to disk instead.
    The table is ANALYZEd first (the star's INSERTs leave it without statistics): without them PostgreSQL
    guesses 200 distinct keys and groups the key in parallel partial aggregates, sorted and merged (1M
    events, the time table's scan: 1.1 s; with statistics one hash aggregate, 0.25 s, after an ANALYZE
    of 0.1 s). Here, not after the transform's INSERT: a transform's statements are its definition hash.
    Only before that grouped pass: a NULL-key count or a foreign key's anti-join is planned as well from the
    table's size alone (1M events, songplays' user_id orphans: 0.20 s unanalyzed, 0.17 s after an ANALYZE
    of 0.25 s), so a table whose duplicates are proved is not ANALYZEd.
    proved: the numbers the table's SELECT proves (engine/key_proofs.py), each 0 and not counted; with the
    duplicates proved there is no grouped pass, only the plain scan for NULL keys and orphans. -#}
{%- set proved = proved | default({}) %}
{%- import "checks/key_parts.sql" as parts %}
DROP TABLE IF EXISTS {{ scan | ident }};
{% if not proved.get("duplicated_keys") %}
ANALYZE {{ table | ident }};
{% endif %}
CREATE TEMPORARY TABLE {{ scan | ident }} AS
SELECT
{% if proved.get("duplicated_keys") %}
    CAST(0 AS BIGINT) AS duplicated_keys,{{ parts.why(proved.get("duplicated_keys")) }}
{% if proved.get("null_keys") %}
    CAST(0 AS BIGINT) AS null_keys{{ "," if foreign_keys }}{{ parts.why(proved.get("null_keys")) }}
{% else %}
    (SELECT COUNT(*) FROM {{ table | ident }} WHERE {% for c in columns %}{{ c | ident }} IS NULL{{ " OR " if not loop.last }}{% endfor %}) AS null_keys{{ "," if foreign_keys }}
{% endif %}
{% else %}
    COUNT(CASE WHEN keys."_etl_rows" > 1 THEN 1 END) AS duplicated_keys,
{% if proved.get("null_keys") %}
    CAST(0 AS BIGINT) AS null_keys{{ "," if foreign_keys }}{{ parts.why(proved.get("null_keys")) }}
{% else %}
    CAST(COALESCE(SUM(CASE WHEN {% for c in columns %}keys.{{ c | ident }} IS NULL{{ " OR " if not loop.last }}{% endfor %} THEN keys."_etl_rows" END), 0) AS BIGINT) AS null_keys{{ "," if foreign_keys }}
{% endif %}
{% endif %}
{% for column, to_table, to_column in foreign_keys %}
{% if proved.get("orphans_" ~ column) %}
    {{ parts.proved_zero("orphans_" ~ column, proved.get("orphans_" ~ column), not loop.last) | trim }}
{% else %}
    (SELECT COUNT(*) FROM {{ table | ident }} AS child
     WHERE child.{{ column | ident }} IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM {{ to_table | ident }} AS parent WHERE parent.{{ to_column | ident }} = child.{{ column | ident }})
    ) AS {{ ("orphans_" ~ column) | ident }}{{ "," if not loop.last }}
{% endif %}
{% endfor %}
{% if not proved.get("duplicated_keys") %}
FROM (
    SELECT {% for c in columns %}{{ c | ident }}, {% endfor %}COUNT(*) AS "_etl_rows"
    FROM {{ table | ident }}
    GROUP BY {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

) AS keys
{% endif %};
SELECT duplicated_keys FROM {{ scan | ident }}
