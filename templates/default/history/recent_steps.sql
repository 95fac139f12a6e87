{#- The steps of the given runs, for the docs site's row counts and check results. -#}
SELECT "run_id", "step", "table_name", "kind", "status", "rows", "seconds", "detail"
FROM "_etl_run_steps"
WHERE "run_id" IN ({% for r in run_ids %}{{ r | literal }}{{ ", " if not loop.last }}{% endfor %})
ORDER BY "run_id", "position"
