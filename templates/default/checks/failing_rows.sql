{#- A custom check is a SELECT of the failing rows; it passes when there are none. -#}
SELECT COUNT(*) FROM (
{{ sql }}
) AS failing_rows
