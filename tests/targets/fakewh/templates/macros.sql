{#- Only what differs: one macro. The rest (epoch_ms_to_timestamp, ...) fall back to the shipped ones. -#}
{% macro column_type(t) -%}
{%- set u = t | upper -%}
{%- if u == "STRING" -%}VARCHAR{%- else -%}{{ u }}{%- endif -%}
{%- endmacro %}
