{#- Redshift: DOUBLE is DOUBLE PRECISION; a bare VARCHAR gets the width the physical design measured
    (engine/physical.py), else the maximum: Redshift's own default (256 bytes) is too short for free text
    such as user agents, and a width declared in the YAML (varchar(n)) passes through. -#}
{% macro column_type(t, width=none) -%}
{%- set u = t | upper -%}
{%- if u in ("DOUBLE", "FLOAT8") -%}DOUBLE PRECISION
{%- elif u in ("VARCHAR", "TEXT", "STRING", "CHARACTER VARYING") -%}VARCHAR({{ width or 65535 }})
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
