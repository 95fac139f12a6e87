{#- One scan of a table for all the checks its declared keys imply: duplicated primary keys, NULL in a
    primary key column, and for each foreign key the child rows whose non-NULL key has no parent row (a
    NULL key means "unknown", as in dbt). The numbers go to a temporary table; each check reads its own.
    NOT IN over the parent's non-NULL keys: a hashed anti-join on every warehouse, correct even when a
    parent's key is duplicated (that is the parent's own unique check). -#}
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
    COUNT(CASE WHEN child.{{ column | ident }} IS NOT NULL AND child.{{ column | ident }} NOT IN (
        SELECT parent.{{ to_column | ident }} FROM {{ to_table | ident }} AS parent
        WHERE parent.{{ to_column | ident }} IS NOT NULL) THEN 1 END) AS {{ ("orphans_" ~ column) | ident }}{{ "," if not loop.last }}
{% endfor %}
FROM {{ table | ident }} AS child;
SELECT duplicated_keys FROM {{ scan | ident }}
