{#- A staging table (no table_def) skips the WAL where the warehouse offers it (capabilities.unlogged_staging):
    every full run rebuilds it from its files, and a crash's emptied table is reloaded by the next run
    (state/existing.sql). Star tables, the published result, stay logged. -#}
CREATE {% if capabilities and capabilities.unlogged_staging and not table_def %}UNLOGGED {% endif %}TABLE {{ table | ident }} (
{% for c in columns %}
    {{ c.name | ident }} {{ column_type(c.type) }}{% if c.not_null %} NOT NULL{% endif %}{{ "," if not loop.last }}
{% endfor %}
)
