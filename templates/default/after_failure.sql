{#- After a failed run, in a transaction of its own: nothing to do on most warehouses. -#}
