{#- One set-based statement per source; columns are read by header name when there is a header,
    else by position, and cast to the staging types by DuckDB's reader. -#}
INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %}

FROM read_csv(
    [{% for p in files %}{{ p | literal }}{{ ", " if not loop.last }}{% endfor %}],
    header = {{ header | literal }},
    delim = {{ delimiter | literal }},
    quote = {{ quote | literal }},
{% if null_string is not none %}
    nullstr = {{ null_string | literal }},
{% endif %}
    columns = {{ "{" }}{% for c in columns %}{{ c.name | literal }}: {{ column_type(c.type) | literal }}{{ ", " if not loop.last }}{% endfor %}{{ "}" }},
    compression = {{ compression | literal }}
)
