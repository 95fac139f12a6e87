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
{#- Not CURRENT_TIMESTAMP/NOW(): AWS lists them as deprecated leader-node-only functions, which error in a
    statement that touches a user table ("Leader node-only functions",
    https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_functions_leader_node_only.html). SYSDATE is the start
    of the current transaction (https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html), like
    CURRENT_TIMESTAMP elsewhere, so every row one run writes carries the same time. -#}
{% macro run_timestamp() -%}
SYSDATE
{%- endmacro %}
