{#- Parts of a key scan (checks/key_scan.sql) that the warehouses' scans share: the duplicated keys and the
    NULL keys, each 0 with a comment saying why where the table's SELECT proves it (engine/key_proofs.py:
    a full build fills the table from its SELECT alone), else counted. The duplicates are counted by a
    GROUP BY, which puts NULL keys in one group, as DISTINCT and PARTITION BY do. -#}
{% macro why(reason) %} -- proved by its SELECT: {{ reason | replace("\n", " ") }}{% endmacro %}

{% macro proved_zero(name, reason, more) -%}
    CAST(0 AS BIGINT) AS {{ name | ident }}{{ "," if more }}{{ why(reason) }}
{%- endmacro %}

{#- Non-empty when a number is still counted from the table's rows (a NULL key count or a foreign key's
    orphans), so the scan needs its FROM. #}
{% macro scans(proved, foreign_keys) -%}
{% if not proved.get("null_keys") %}yes{% endif %}
{% for column, _to_table, _to_column in foreign_keys %}{% if not proved.get("orphans_" ~ column) %}yes{% endif %}{% endfor %}
{%- endmacro %}

{% macro duplicated_keys(table, columns, reason) -%}
{% if reason %}
    CAST(0 AS BIGINT) AS duplicated_keys,{{ why(reason) }}
{% else %}
    (SELECT COUNT(*) FROM (
        SELECT {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

        FROM {{ table | ident }}
        GROUP BY {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

        HAVING COUNT(*) > 1
    ) AS duplicated) AS duplicated_keys,
{% endif %}
{%- endmacro %}

{% macro null_keys(columns, reason, more) -%}
{% if reason %}
    CAST(0 AS BIGINT) AS null_keys{{ "," if more }}{{ why(reason) }}
{% else %}
    COUNT(CASE WHEN {% for c in columns %}child.{{ c | ident }} IS NULL{{ " OR " if not loop.last }}{% endfor %} THEN 1 END) AS null_keys{{ "," if more }}
{% endif %}
{%- endmacro %}
