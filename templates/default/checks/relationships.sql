{#- Child rows whose non-NULL key has no parent row (a NULL key means "unknown", as in dbt). -#}
SELECT COUNT(*)
FROM {{ table | ident }} AS child
LEFT JOIN {{ to_table | ident }} AS parent
    ON child.{{ column | ident }} = parent.{{ to_column | ident }}
WHERE child.{{ column | ident }} IS NOT NULL
  AND parent.{{ to_column | ident }} IS NULL
