{#- DuckDB: types pass through; epoch_ms() keeps the milliseconds and gives a plain TIMESTAMP. -#}
{% macro column_type(t) -%}
{{ t | upper }}
{%- endmacro %}
{% macro epoch_ms_to_timestamp(expr) -%}
epoch_ms({{ expr }})
{%- endmacro %}
{#- The run's transaction start time, for bookkeeping rows written in the run's transaction. -#}
{% macro run_timestamp() -%}
CURRENT_TIMESTAMP
{%- endmacro %}
