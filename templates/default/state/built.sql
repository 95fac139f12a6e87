{#- Tables this pipeline built (its bookkeeping) that the warehouse still holds, with their kind. -#}
SELECT t.table_name, i.table_type
FROM "_etl_tables" AS t
JOIN information_schema.tables AS i
  ON i.table_name = t.table_name AND i.table_schema = current_schema()
WHERE t.pipeline = {{ pipeline | literal }}
ORDER BY t.table_name
