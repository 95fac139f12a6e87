{#- Redshift has no advisory locks: an explicit LOCK on this pipeline's own lock table serialises its
    runs (another pipeline in the schema locks another table). It is the first statement after BEGIN:
    a statement before it would fix the transaction's snapshot while another run still held the lock,
    and the waiting run would go on with a stale view (serializable isolation error 1023). The wait is
    bounded by lock_wait.sql; the server releases the lock with a dead session.
    https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html -#}
LOCK {{ lock_table | ident }}
