{#- Fails the load when it found more bad records than the source tolerates (max_errors, else 100000 as on
    Redshift), naming the first few; the run then rolls back. rejects_query as in rejects/insert.sql. -#}
SELECT CASE WHEN n > {{ max_errors }} THEN error(format(
    '{}: {} bad record(s), more than max_errors ({}) allows (source {}, on_error: skip); first: {}',
    {{ staging | literal }}, n, {{ max_errors }}, {{ source | literal }}, array_to_string(first[1:3], '; '))) END
FROM (
    SELECT count(*) AS n,
           list(file || ':' || coalesce(CAST(line AS VARCHAR), '?') || ': ' || reason ORDER BY file, line) AS first
    FROM ({{ rejects_query }})
)
