{#- One INSERT per batch of files, the batch as one JSON text: DuckDB parses a JSON array of thousands of
    [file, size, version] far faster than a VALUES list of thousands of rows. -#}
INSERT INTO "_etl_files" ("pipeline", "table_name", "file", "size", "version", "loaded_at")
SELECT {{ pipeline | literal }}, {{ table | literal }}, f[1], CAST(f[2] AS BIGINT), f[3], CURRENT_TIMESTAMP
FROM (SELECT unnest(CAST(from_json({{ files_json | literal }}, '[["VARCHAR"]]') AS VARCHAR[][])) AS f)
