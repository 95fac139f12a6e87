{#- rejects_query: the load's bad records as (file, line, reason, raw). The statement starts with WITH, not
    INSERT, so the runner's row count of the load (its INSERT statements) stays the staging table's. -#}
WITH bad AS (
{{ rejects_query }}
)
INSERT INTO "_etl_rejects" ("loaded_at", "pipeline", "table_name", "file", "line", "reason", "raw")
SELECT CAST({{ run_timestamp() }} AS TIMESTAMP), {{ pipeline | literal }}, {{ staging | literal }}, file, line, reason,
       left(raw, {{ raw_limit }})
FROM bad
