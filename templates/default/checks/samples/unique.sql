{#- Up to `limit` duplicated keys, with how often each occurs. -#}
SELECT {% for c in columns %}{{ c | ident }}, {% endfor %}COUNT(*) AS "occurrences"
FROM {{ table | ident }}
GROUP BY {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

HAVING COUNT(*) > 1
ORDER BY 1
LIMIT {{ limit }}
