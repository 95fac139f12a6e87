CREATE TABLE {{ table | ident }} (
{% for c in columns %}
    {{ c.name | ident }} {{ column_type(c.type) }}{% if c.not_null %} NOT NULL{% endif %}{{ "," if not loop.last }}
{% endfor %}
)
