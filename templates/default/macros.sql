{#- Dialect helpers for user SQL and for the other templates.
    macros.sql files add up: this one, then the dialect's, then a user's; a later macro of the same name wins. -#}
{% macro column_type(t) -%}
{{ t | upper }}
{%- endmacro %}
{% macro epoch_ms_to_timestamp(expr) -%}
(TIMESTAMP 'epoch' + ({{ expr }}) / 1000.0 * INTERVAL '1 second')
{%- endmacro %}
{#- The run's transaction start time, for bookkeeping rows written in the run's transaction. -#}
{% macro run_timestamp() -%}
CURRENT_TIMESTAMP
{%- endmacro %}
