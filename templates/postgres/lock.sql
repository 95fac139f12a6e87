{#- A transaction-scoped advisory lock: released at COMMIT or ROLLBACK, and by the server when a
    killed run's session ends, so a stale lock cannot outlive its run. -#}
SELECT pg_try_advisory_xact_lock({{ key }})
