{#- Many small files into few large ones, set-based: DuckDB reads them all and writes gzip'd
    newline-delimited JSON (or CSV, Parquet) cut at about target_bytes per file. Keys and values are
    kept as they are, so the same JSONPaths and COPY options load the result. -#}
{% set paths %}[{{ files | literals }}]{% endset %}
COPY (
{% if format == "json" %}
    SELECT * FROM read_json({{ paths }}, format = 'auto', union_by_name = true)
{% elif format == "csv" %}
    SELECT * FROM read_csv({{ paths }}, header = {{ header | literal }}, union_by_name = true)
{% else %}
    SELECT * FROM read_parquet({{ paths }}, union_by_name = true)
{% endif %}
) TO {{ out | literal }} (
    FORMAT {{ format }},
{% if format != "parquet" %}
    COMPRESSION gzip,
    FILE_EXTENSION {{ (format ~ ".gz") | literal }},
{% endif %}
{% if format == "csv" %}
    HEADER {{ header | literal }},
{% endif %}
    FILE_SIZE_BYTES {{ target_bytes }},
    FILENAME_PATTERN 'part_{i}'
)
