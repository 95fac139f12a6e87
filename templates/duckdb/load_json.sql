{#- One set-based statement per source: DuckDB's reader lists, parses and casts; Python touches no row.
    fields: staging columns in order, each with the JSON key it reads (JSONPaths maps by position,
    as Redshift COPY does) and, for nested paths, the path inside that key. -#}
{% for compression, files in groups %}
INSERT INTO {{ table | ident }} ({% for f in fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT
{% for f in fields %}
    {% if f.subpath %}CAST(json_extract_string({{ f.key | ident }}, {{ f.subpath | literal }}) AS {{ column_type(f.type) }}){% else %}{{ f.key | ident }}{% endif %} AS {{ f.column | ident }}{{ "," if not loop.last }}
{% endfor %}
FROM read_json(
    [{% for p in files %}{{ p | literal }}{{ ", " if not loop.last }}{% endfor %}],
    format = {{ json_format | literal }},
    columns = {{ "{" }}{% for key, type in read_columns %}{{ key | literal }}: {{ column_type(type) | literal }}{{ ", " if not loop.last }}{% endfor %}{{ "}" }},
    compression = {{ compression | literal }},
    union_by_name = false
){{ ";" if not loop.last }}
{% endfor %}
