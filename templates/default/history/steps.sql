SELECT "step", "status", "rows", "seconds", "detail"
FROM "_etl_run_steps"
WHERE "run_id" = {{ run_id | literal }}
ORDER BY "position"
