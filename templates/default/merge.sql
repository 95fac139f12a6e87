{#- An incremental run's update of a star table: the table's SELECT over all staged rows, merged by
    primary key. Rows whose values did not change are not touched (IS DISTINCT FROM), so a re-run on
    the same files changes nothing and the reported count is rows inserted plus rows really changed.
    MERGE needs no unique index, so full rebuilds stay as fast as plain INSERTs. -#}
{% set others = columns | rejectattr("name", "in", keys) | list %}
MERGE INTO {{ table | ident }} AS target
USING (
{{ select }}
) AS source
ON {% for k in keys %}target.{{ k | ident }} = source.{{ k | ident }}{{ " AND " if not loop.last }}{% endfor %}

{% if others %}
WHEN MATCHED AND ({% for c in others %}target.{{ c.name | ident }} IS DISTINCT FROM source.{{ c.name | ident }}{{ " OR " if not loop.last }}{% endfor %}) THEN UPDATE SET
{% for c in others %}
    {{ c.name | ident }} = source.{{ c.name | ident }}{{ "," if not loop.last }}
{% endfor %}
{% endif %}
WHEN NOT MATCHED THEN INSERT ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
VALUES ({% for c in columns %}source.{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
