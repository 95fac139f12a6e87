{#- Distribution, sort key and VARCHAR widths from the physical design (engine/physical.py: what the YAML
    declares, else chosen from the star's roles and the measured profile; `etl-engine explain` says why).
    The primary key is informational on Redshift (not enforced, the engine's checks enforce it) but the
    planner uses it. Table-level DISTKEY(...) and SORTKEY(...) forms, so every statement parses with
    sqlglot's redshift dialect. -#}
{% set widths = design.lengths if design else {} %}
CREATE TABLE {{ table | ident }} (
{% for c in columns %}
    {{ c.name | ident }} {{ column_type(c.type, widths.get(c.name)) }}{% if c.not_null %} NOT NULL{% endif %}{% if c.encode %} ENCODE {{ c.encode | upper }}{% endif %}{{ "," if not loop.last or (table_def and table_def.primary_key) }}
{% endfor %}
{% if table_def and table_def.primary_key %}
    PRIMARY KEY ({% for k in table_def.primary_key %}{{ k | ident }}{{ ", " if not loop.last }}{% endfor %})
{% endif %}
)
{% if not table_def %}
{#- A staging table is rebuilt from S3 by every full run: no snapshot backup needed (BACKUP NO,
    https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html) -#}
BACKUP NO
{% endif %}
{% if design and design.style != "auto" %}
DISTSTYLE {{ design.style | upper }}{% if design.key %} DISTKEY ({{ design.key | ident }}){% endif %}

{% elif table_def and table_def.distribution and not design %}
DISTSTYLE {{ table_def.distribution.style | upper }}{% if table_def.distribution.key %} DISTKEY ({{ table_def.distribution.key | ident }}){% endif %}

{% endif %}
{% if design and design.sort %}
{{ design.sort_style | upper }} SORTKEY ({% for k in design.sort %}{{ k | ident }}{{ ", " if not loop.last }}{% endfor %})
{% elif table_def and table_def.sort and not design %}
{{ table_def.sort.style | upper }} SORTKEY ({% for k in table_def.sort.keys %}{{ k | ident }}{{ ", " if not loop.last }}{% endfor %})
{% endif %}
