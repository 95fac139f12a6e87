{#- DuckDB has no users or privileges: a file is readable by whoever can read the file. -#}
