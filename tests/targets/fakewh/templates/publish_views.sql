{#- DuckDB views bind by name when queried: nothing depends on a table's identity. -#}
SELECT NULL AS table_name, NULL AS view_name, NULL AS definition WHERE FALSE
