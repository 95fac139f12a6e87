{#- Up to `limit` of the rows a custom check's SELECT returns (its failing rows). -#}
SELECT * FROM (
{{ sql }}
) AS failing_rows
ORDER BY 1
LIMIT {{ limit }}
