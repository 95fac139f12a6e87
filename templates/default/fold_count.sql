{#- How many source rows a dimension's SELECT folded into its keys: the rows it picks among (the
    rows before its ROW_NUMBER pick, GROUP BY or DISTINCT), and the rows the table now holds. -#}
SELECT
    (SELECT count(*) FROM (
{{ source }}
    ) AS source_rows) AS source_rows,
    (SELECT count(*) FROM {{ table | ident }}) AS keys
