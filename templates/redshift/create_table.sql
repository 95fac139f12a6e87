{#- Distribution and sort hints from the YAML; the primary key is informational on Redshift (not
    enforced, the engine's checks enforce it) but the planner uses it. Table-level DISTKEY(...) and
    SORTKEY(...) forms, so every statement parses with sqlglot's redshift dialect. -#}
CREATE TABLE {{ table | ident }} (
{% for c in columns %}
    {{ c.name | ident }} {{ column_type(c.type) }}{% if c.not_null %} NOT NULL{% endif %}{% if c.encode %} ENCODE {{ c.encode | upper }}{% endif %}{{ "," if not loop.last or (table_def and table_def.primary_key) }}
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
{% if table_def and table_def.distribution %}
DISTSTYLE {{ table_def.distribution.style | upper }}{% if table_def.distribution.key %} DISTKEY ({{ table_def.distribution.key | ident }}){% endif %}

{% endif %}
{% if table_def and table_def.sort %}
{{ table_def.sort.style | upper }} SORTKEY ({% for k in table_def.sort.keys %}{{ k | ident }}{{ ", " if not loop.last }}{% endfor %})
{% endif %}
