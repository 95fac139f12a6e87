{#- How many bad records this load skipped: what it wrote to _etl_rejects in this run's transaction. -#}
SELECT count(*) FROM "_etl_rejects"
WHERE "pipeline" = {{ pipeline | literal }}
  AND "table_name" = {{ staging | literal }}
  AND "loaded_at" = CAST({{ run_timestamp() }} AS TIMESTAMP)
