{#- The run lock, first after BEGIN, for Lock.TRY (a query answering true when taken) or Lock.BLOCKING
    (a statement that waits). The default adapter lock is Lock.EXCLUSIVE_CONNECTION (DuckDB's file
    lock: one writing process per warehouse), which renders nothing here. Context: key (a 63-bit
    number per pipeline), pipeline, lock_table, wait_ms. -#}
