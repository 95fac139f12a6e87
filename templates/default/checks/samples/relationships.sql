{#- Up to `limit` child rows whose key has no parent: the child's key and the orphan value. -#}
SELECT {% for c in key if c != column %}child.{{ c | ident }}, {% endfor %}child.{{ column | ident }}
FROM {{ table | ident }} AS child
LEFT JOIN {{ to_table | ident }} AS parent
    ON child.{{ column | ident }} = parent.{{ to_column | ident }}
WHERE child.{{ column | ident }} IS NOT NULL
  AND parent.{{ to_column | ident }} IS NULL
ORDER BY 1
LIMIT {{ limit }}
