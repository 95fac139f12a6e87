{#- One set-based statement per source; columns are matched by position (a header line is skipped,
    not matched by name) and cast to the staging types by DuckDB's reader. A quote inside a quoted
    field is doubled (RFC 4180): said explicitly, because DuckDB's sniffer guesses "no escape" when
    the first rows it samples hold no doubled quote, and then fails far into the file. -#}
{% for compression, files in groups %}
INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %}

FROM read_csv(
    [{% for p in files %}{{ p | literal }}{{ ", " if not loop.last }}{% endfor %}],
    header = {{ header | literal }},
    delim = {{ delimiter | literal }},
    quote = {{ quote | literal }},
    encoding = {{ encoding | literal }},
    escape = {{ quote | literal }},
{% if null_string is not none %}
    nullstr = {{ null_string | literal }},
{% endif %}
    columns = {{ "{" }}{% for c in columns %}{{ c.name | literal }}: {{ column_type(c.type) | literal }}{{ ", " if not loop.last }}{% endfor %}{{ "}" }},
    compression = {{ compression | literal }}
){{ ";" if not loop.last }}
{% endfor %}
