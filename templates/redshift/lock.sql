{#- Redshift has no advisory locks: an explicit table lock on the run history serialises runs
    (a second run waits for the first to end); the server releases it with a dead session. -#}
LOCK "_etl_runs"
