{#- LOCK has no timeout of its own: statement_timeout bounds the wait, so --wait N means N seconds.
    At least 5 s: the bound covers the LOCK statement itself, which may queue in WLM before it runs even
    when no other run holds the lock, so --wait 0 means "do not wait for another run", not "1 ms".
    https://docs.aws.amazon.com/redshift/latest/dg/r_statement_timeout.html -#}
SET statement_timeout TO {{ [wait_ms, 5000] | max }}
