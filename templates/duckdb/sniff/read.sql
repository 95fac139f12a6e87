{#- The reader `etl-engine init` sniffs and rehearses with: read_json / read_csv / read_parquet over
    the sample's files. Expects: format, files, compression; csv: header, delimiter, quote;
    columns (a list of [name, type]) to read with declared types, else none to let DuckDB guess;
    union_by_name. -#}
{% set paths %}[{{ files | literals }}]{% endset %}
{% set declared %}{{ "{" }}{% for name, type in columns %}{{ name | literal }}: {{ type | upper | literal }}{{ ", " if not loop.last }}{% endfor %}{{ "}" }}{% endset %}
{% if format == "json" %}
read_json({{ paths }}, format = 'auto'{% if columns %}, columns = {{ declared }}{% endif %}, compression = {{ compression | literal }}, union_by_name = {{ union_by_name | literal }})
{%- elif format == "csv" %}
read_csv({{ paths }}, header = {{ header | literal }}, delim = {{ delimiter | literal }}, quote = {{ quote | literal }}, escape = {{ quote | literal }}, compression = {{ compression | literal }}{% if columns %}, columns = {{ declared }}{% else %}, union_by_name = {{ union_by_name | literal }}{% endif %})
{%- else %}
read_parquet({{ paths }}{% if union_by_name %}, union_by_name = true{% endif %})
{%- endif %}
