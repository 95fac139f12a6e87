{#- Up to `limit` rows with a NULL in a checked column: the table's key and the checked columns. -#}
SELECT {% for c in (key | list) + (columns | reject("in", key) | list) %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

FROM {{ table | ident }}
WHERE {% for c in columns %}{{ c | ident }} IS NULL{{ " OR " if not loop.last }}{% endfor %}

ORDER BY 1
LIMIT {{ limit }}
