{#- A JSON load with on_error: fail. Large newline-delimited files go through DuckDB's parallel reader, one
    read_json per compression (fast_groups); small plain lines and pretty files are read whole as text and cast
    without checks by line (text_lines, text_pretty: json_text.sql); every other file (gzip, array layouts,
    large pretty files, files with bytes the text read cannot cut as the checked read does: see
    engine/targets/_duckdb_json.py) is read as text and checked in SQL like a skip load, and any bad record
    fails the load. A failure of any is explained after the fact (load_json_diagnose.sql) with the bad
    records by file and line, so both policies refuse the same records.
    fields: staging columns in order, each with the JSON key it reads (JSONPaths maps by position,
    as Redshift COPY does) and, for nested paths, the path inside that key. -#}
{% for compression, files in fast_groups %}
INSERT INTO {{ table | ident }} ({% for f in fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT * FROM (
    SELECT
{% for f in fields %}
        {% if f.subpath %}CAST(json_extract_string({{ f.key | ident }}, {{ f.subpath | literal }}) AS {{ column_type(f.type) }}){% else %}{{ f.key | ident }}{% endif %} AS {{ f.column | ident }}{{ "," if not loop.last }}
{% endfor %}
    FROM read_json(
        [{{ files | literals }}],
        format = 'newline_delimited',
        columns = {{ "{" }}{% for key, type in read_columns %}{{ key | literal }}: {{ column_type(type) | literal }}{{ ", " if not loop.last }}{% endfor %}{{ "}" }},
        compression = {{ compression | literal }},
        union_by_name = false
    )
) AS r
{# read_json gives a row of NULLs for a null line, which the checked read refuses: stop on it (and on {}) #}
WHERE CASE WHEN {% for f in fields %}r.{{ f.column | ident }} IS NULL{{ " AND " if not loop.last }}{% endfor %}

           THEN error('a record with no value in any column') ELSE true END;
{% endfor %}
{% if text_lines or text_pretty %}
{% include "json_text.sql" %}
{% endif %}
{% if plain_files or gzip_files %}
{# imported only here: compiling the checked read's macros costs more than rendering a fast load #}
{% import "json_records.sql" as records with context %}
{{ records.read_lines() }};
{{ records.check_records() }};
SELECT CASE WHEN count(*) > 0 THEN error(format('{} bad record(s) in source {} (on_error: fail)', count(*),
    {{ source | literal }})) END
FROM {{ records.checked_table | ident }}
WHERE _etl_reason IS NOT NULL;
INSERT INTO {{ table | ident }} ({% for f in checked_fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for f in checked_fields %}v{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}

FROM {{ records.checked_table | ident }};
{{ records.drop_temp() }}
{% endif %}
