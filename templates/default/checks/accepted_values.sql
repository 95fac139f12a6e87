{#- Rows whose value is not one of the accepted ones (NULL is not_null's business, as in dbt). -#}
SELECT COUNT(*) FROM {{ table | ident }}
WHERE {{ column | ident }} IS NOT NULL
  AND {{ column | ident }} NOT IN ({% for v in values %}{{ v | literal }}{{ ", " if not loop.last }}{% endfor %})
