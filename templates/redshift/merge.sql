{#- Redshift's MERGE takes a table as its source (no subquery) and no extra condition on WHEN MATCHED,
    so the SELECT goes into a temporary table first and matched rows are all rewritten. -#}
{% set others = columns | rejectattr("name", "in", keys) | list %}
CREATE TEMPORARY TABLE {{ ("_etl_merge_" ~ table) | ident }} AS
{{ select }};
MERGE INTO {{ table | ident }}
USING {{ ("_etl_merge_" ~ table) | ident }} AS source
ON {% for k in keys %}{{ table | ident }}.{{ k | ident }} = source.{{ k | ident }}{{ " AND " if not loop.last }}{% endfor %}

{% if others %}
WHEN MATCHED THEN UPDATE SET {% for c in others %}{{ c.name | ident }} = source.{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %}

{% endif %}
WHEN NOT MATCHED THEN INSERT ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
VALUES ({% for c in columns %}source.{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %});
DROP TABLE {{ ("_etl_merge_" ~ table) | ident }}
