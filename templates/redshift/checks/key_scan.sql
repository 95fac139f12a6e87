{#- Redshift: the default key scan (one pass, LEFT JOIN of each parent's distinct keys), not the PostgreSQL one. -#}
{#- One scan of a table for all the checks its declared keys imply: duplicated primary keys, NULL in a
    primary key column, and for each foreign key the child rows whose non-NULL key has no parent row (a
    NULL key means "unknown", as in dbt). The numbers go to a temporary table; each check reads its own.
    Each parent's distinct keys are LEFT JOINed to the one scan of the child (hash joins on every
    warehouse; distinct, so a parent's duplicated key, the parent's own check, cannot repeat a child row).
    Not NOT IN inside the scan: PostgreSQL runs that once per row when the keys do not fit work_mem. -#}
DROP TABLE IF EXISTS {{ scan | ident }};
CREATE TEMPORARY TABLE {{ scan | ident }} AS
SELECT
    (SELECT COUNT(*) FROM (
        SELECT {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

        FROM {{ table | ident }}
        GROUP BY {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

        HAVING COUNT(*) > 1
    ) AS duplicated) AS duplicated_keys,
    COUNT(CASE WHEN {% for c in columns %}child.{{ c | ident }} IS NULL{{ " OR " if not loop.last }}{% endfor %} THEN 1 END) AS null_keys{{ "," if foreign_keys }}
{% for column, to_table, to_column in foreign_keys %}
    COUNT(CASE WHEN child.{{ column | ident }} IS NOT NULL AND {{ ("parent_" ~ loop.index) | ident }}.k IS NULL THEN 1 END) AS {{ ("orphans_" ~ column) | ident }}{{ "," if not loop.last }}
{% endfor %}
FROM {{ table | ident }} AS child
{% for column, to_table, to_column in foreign_keys %}
LEFT JOIN (SELECT DISTINCT {{ to_column | ident }} AS k FROM {{ to_table | ident }}) AS {{ ("parent_" ~ loop.index) | ident }}
    ON child.{{ column | ident }} = {{ ("parent_" ~ loop.index) | ident }}.k
{% endfor %};
SELECT duplicated_keys FROM {{ scan | ident }}
