{#- The engine's DuckDB macro (templates/duckdb/macros.sql), so the models read like transforms/*.sql. -#}
{% macro epoch_ms_to_timestamp(expr) -%}
epoch_ms({{ expr }})
{%- endmacro %}
