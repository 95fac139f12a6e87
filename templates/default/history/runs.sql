SELECT "run_id", "started_at", "mode", "status", "seconds", "pipeline_hash", "error"
FROM "_etl_runs"
WHERE "pipeline" = {{ pipeline | literal }}
ORDER BY "started_at" DESC
LIMIT {{ limit }}
