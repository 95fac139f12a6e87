{#- Casts shared by the checked read (json_records.sql) and the text read (json_text.sql), so both give the
    same values.

    struct_spec(fields): the shape one json_transform casts a record to, as a SQL literal: each top-level key
    that one column alone reads (f.struct), with that column's type (JSON where the column keeps the value's
    JSON text); empty when no field qualifies.
    value(f): a field's value from the record's text `doc` and that json_transform's result `t`: read_json's
    casts (the JSON value cast, NULL where it does not cast) for a top-level key, a cast of the text for a
    nested path (as load_json.sql casts it after read_json).
    source_text(f): the field's value as text, NULL for a JSON null or a missing key: where value(f) is NULL
    but this is not, the value does not cast. -#}
{% macro struct_spec(fields) -%}
{%- set ns = namespace(parts=[]) -%}
{%- for f in fields if f.struct -%}
{%- set ns.parts = ns.parts + [(f.key | tojson) ~ ": " ~ (("JSON" if f.kind == "json" else column_type(f.type)) | string | tojson)] -%}
{%- endfor -%}
{%- if ns.parts -%}{{ ("{" ~ (ns.parts | join(", ")) ~ "}") | literal }}{%- endif -%}
{%- endmacro %}

{% macro value(f) -%}
{%- if f.struct -%}
t[{{ f.key | literal }}]
{%- elif f.kind == "text" -%}
json_extract_string(doc, {{ f.path | literal }})
{%- elif f.kind == "json" -%}
json_extract(doc, {{ f.path | literal }})
{%- elif f.kind == "json_cast" -%}
TRY_CAST(json_extract(doc, {{ f.path | literal }}) AS {{ column_type(f.type) }})
{%- else -%}
TRY_CAST(json_extract_string(doc, {{ f.path | literal }}) AS {{ column_type(f.type) }})
{%- endif -%}
{%- endmacro %}
{% macro source_text(f) -%}
json_extract_string(doc, {{ f.path | literal }})
{%- endmacro %}
