{#- query: a transaction that can only read (DuckDB, PostgreSQL and Redshift refuse writes in it); it is
    rolled back at the end all the same. -#}
BEGIN TRANSACTION READ ONLY
