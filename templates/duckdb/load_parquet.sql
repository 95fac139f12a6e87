{#- Parquet carries its own types; columns are picked by name and cast to the staging types. -#}
{% for compression, files in groups %}
INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for c in columns %}CAST({{ c.name | ident }} AS {{ column_type(c.type) }}){{ ", " if not loop.last }}{% endfor %}

FROM read_parquet([{{ files | literals }}]){{ ";" if not loop.last }}
{% endfor %}
