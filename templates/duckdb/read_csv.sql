{#- The read_csv(...) of a CSV load, shared by the load and its failure report: files, header, delimiter,
    quote (doubled inside a field, RFC 4180), encoding, null string, the fields in the file's order (layout.read); with skip,
    no sniffing and the reader's rejects tables on. Expects: files, compression, layout, skip and the source's
    options in the context. -#}
FROM read_csv(
    [{{ files | literals }}],
    header = {{ header | literal }},
    delim = {{ delimiter | literal }},
    quote = {{ quote | literal }},
    encoding = {{ encoding | literal }},
    escape = {{ quote | literal }},
{% if null_string is not none %}
    nullstr = {{ null_string | literal }},
{% endif %}
    columns = {{ "{" }}{% for name, type in layout.read %}{{ name | literal }}: {{ column_type(type) | literal }}{{ ", " if not loop.last }}{% endfor %}{{ "}" }},
{% if skip %}
    auto_detect = false,
    store_rejects = true,
    rejects_table = {{ errors_table | literal }},
    rejects_scan = {{ scans_table | literal }},
{% endif %}
    compression = {{ compression | literal }}
)
