{#- Up to `limit` rows holding a value not accepted: the table's key and the value. -#}
SELECT {% for c in key if c != column %}{{ c | ident }}, {% endfor %}{{ column | ident }}
FROM {{ table | ident }}
WHERE {{ column | ident }} IS NOT NULL
  AND {{ column | ident }} NOT IN ({% for v in values %}{{ v | literal }}{{ ", " if not loop.last }}{% endfor %})
ORDER BY 1
LIMIT {{ limit }}
