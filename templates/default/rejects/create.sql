{#- Bad records a load skipped (a source with on_error: skip): kept beside the bookkeeping tables, one row
    per record, written in the run's transaction (a failed run leaves none). loaded_at is the run's
    run_timestamp() (its transaction's start), the same for every row one run writes. -#}
CREATE TABLE IF NOT EXISTS "_etl_rejects" (
    "loaded_at" TIMESTAMP NOT NULL,
    "pipeline" {{ column_type("varchar") }} NOT NULL,
    "table_name" {{ column_type("varchar") }} NOT NULL,
    "file" {{ column_type("varchar") }},
    "line" BIGINT,
    "reason" {{ column_type("varchar") }},
    "raw" {{ column_type("varchar") }}
)
