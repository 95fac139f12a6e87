{#- DuckDB: types pass through; epoch_ms() keeps the milliseconds and gives a plain TIMESTAMP. -#}
{% macro column_type(t) -%}
{{ t | upper }}
{%- endmacro %}
{% macro epoch_ms_to_timestamp(expr) -%}
epoch_ms({{ expr }})
{%- endmacro %}
