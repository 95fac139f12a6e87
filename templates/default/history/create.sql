{#- Every run leaves a record, committed with its data or, when it failed, written after the
    rollback: what ran, how long, how many rows, and why it stopped. -#}
CREATE TABLE IF NOT EXISTS "_etl_runs" (
    "run_id" {{ column_type("varchar") }} NOT NULL,
    "pipeline" {{ column_type("varchar") }} NOT NULL,
    "target" {{ column_type("varchar") }},
    "pipeline_hash" {{ column_type("varchar") }},
    "mode" {{ column_type("varchar") }},
    "status" {{ column_type("varchar") }},
    "started_at" TIMESTAMP,
    "seconds" {{ column_type("double") }},
    "error" {{ column_type("varchar") }}
);
CREATE TABLE IF NOT EXISTS "_etl_run_steps" (
    "run_id" {{ column_type("varchar") }} NOT NULL,
    "position" INTEGER,
    "step" {{ column_type("varchar") }},
    "table_name" {{ column_type("varchar") }},
    "kind" {{ column_type("varchar") }},
    "status" {{ column_type("varchar") }},
    "rows" BIGINT,
    "seconds" {{ column_type("double") }},
    "detail" {{ column_type("varchar") }}
)
