{#- Lock.BLOCKING on a table: the table a run of this pipeline locks (created with the bookkeeping). -#}
CREATE TABLE IF NOT EXISTS {{ lock_table | ident }} ("pipeline" {{ column_type("varchar") }})
