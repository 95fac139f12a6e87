{#- The tables this pipeline built, by its bookkeeping (the catalog is asked separately: Redshift cannot
    join a leader-node catalog to a user table). -#}
SELECT table_name FROM "_etl_tables" WHERE pipeline = {{ pipeline | literal }}
