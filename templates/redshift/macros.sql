{#- Redshift: DOUBLE is DOUBLE PRECISION, and a bare VARCHAR would be VARCHAR(256), too short for
    free text such as user agents or song titles, so it becomes the maximum (storage is by content,
    compressed; say VARCHAR(n) in the YAML where the width is known). -#}
{% macro column_type(t) -%}
{%- set u = t | upper -%}
{%- if u in ("DOUBLE", "FLOAT8") -%}DOUBLE PRECISION
{%- elif u in ("VARCHAR", "TEXT", "STRING", "CHARACTER VARYING") -%}VARCHAR(65535)
{%- else -%}{{ u }}
{%- endif -%}
{%- endmacro %}
{% macro epoch_ms_to_timestamp(expr) -%}
(TIMESTAMP 'epoch' + ({{ expr }}) / 1000.0 * INTERVAL '1 second')
{%- endmacro %}
