{#- The read_csv(...) of a CSV load, shared by the load and its failure report: files, header, delimiter,
    quote (doubled inside a field, RFC 4180), encoding, null string, the declared columns; with skip,
    no sniffing and the reader's rejects tables on. Expects: files, compression, skip and the source's
    options in the context. -#}
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
{% if skip %}
    auto_detect = false,
    store_rejects = true,
    rejects_table = {{ errors_table | literal }},
    rejects_scan = {{ scans_table | literal }},
{% endif %}
    compression = {{ compression | literal }}
)
