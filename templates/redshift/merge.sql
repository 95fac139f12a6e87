{#- An incremental run's update of a star table on Redshift. MERGE takes a table as its source (no
    subquery), so the SELECT goes into a temporary table first; it needs both WHEN MATCHED and WHEN NOT
    MATCHED (https://docs.aws.amazon.com/redshift/latest/dg/r_MERGE.html) and allows no extra condition
    on WHEN MATCHED, so matched rows are all rewritten. A table whose columns are all keys has nothing to
    update: MERGE would need a WHEN MATCHED clause it cannot have, so it is an INSERT of the missing keys.
    ANALYZE after, as after every INSERT ... SELECT. -#}
{% set others = columns | rejectattr("name", "in", keys) | list %}
{% set source = "_etl_merge_" ~ table %}
CREATE TEMPORARY TABLE {{ source | ident }} AS
{{ select }};
{% if others %}
MERGE INTO {{ table | ident }}
USING {{ source | ident }} AS source
ON {% for k in keys %}{{ table | ident }}.{{ k | ident }} = source.{{ k | ident }}{{ " AND " if not loop.last }}{% endfor %}

WHEN MATCHED THEN UPDATE SET {% for c in others %}{{ c.name | ident }} = source.{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %}

WHEN NOT MATCHED THEN INSERT ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
VALUES ({% for c in columns %}source.{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %});
{% else %}
INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT DISTINCT {% for c in columns %}source.{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %}

FROM {{ source | ident }} AS source
WHERE NOT EXISTS (
    SELECT 1 FROM {{ table | ident }} AS target
    WHERE {% for k in keys %}target.{{ k | ident }} = source.{{ k | ident }}{{ " AND " if not loop.last }}{% endfor %}

);
{% endif %}
DROP TABLE {{ source | ident }};
ANALYZE {{ table | ident }}
