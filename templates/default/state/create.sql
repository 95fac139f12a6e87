{#- The warehouse remembers what it holds: which files each staging table loaded (so the next run
    loads only new ones) and the shape each table was built with (a changed shape means rebuild). -#}
CREATE TABLE IF NOT EXISTS "_etl_files" (
    "pipeline" {{ column_type("varchar") }} NOT NULL,
    "table_name" {{ column_type("varchar") }} NOT NULL,
    "file" {{ column_type("varchar") }} NOT NULL,
    "size" BIGINT,
    "version" {{ column_type("varchar") }},
    "loaded_at" TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "_etl_tables" (
    "pipeline" {{ column_type("varchar") }} NOT NULL,
    "table_name" {{ column_type("varchar") }} NOT NULL,
    "definition" {{ column_type("varchar") }} NOT NULL,
    "built_at" TIMESTAMP
)
