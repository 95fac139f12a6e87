{#- PostgreSQL: DOUBLE is spelled DOUBLE PRECISION; the rest of the YAML types pass through. -#}
{% macro column_type(t) -%}
{%- set u = t | upper -%}
{%- if u in ("DOUBLE", "FLOAT8") -%}DOUBLE PRECISION
{%- elif u == "STRING" -%}TEXT
{%- else -%}{{ u }}
{%- endif -%}
{%- endmacro %}
{% macro epoch_ms_to_timestamp(expr) -%}
(TIMESTAMP 'epoch' + ({{ expr }}) / 1000.0 * INTERVAL '1 second')
{%- endmacro %}
{#- The run's transaction start time, for bookkeeping rows written in the run's transaction. -#}
{% macro run_timestamp() -%}
CURRENT_TIMESTAMP
{%- endmacro %}
