{#- One run at a time per warehouse and pipeline. The default takes no lock in SQL: DuckDB's file
    lock already lets a single process write. A dialect whose query returns false means "held". -#}
