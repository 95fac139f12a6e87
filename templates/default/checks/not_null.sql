SELECT COUNT(*) FROM {{ table | ident }}
WHERE {% for c in columns %}{{ c | ident }} IS NULL{{ " OR " if not loop.last }}{% endfor %}
