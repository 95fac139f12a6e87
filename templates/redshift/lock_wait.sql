{#- LOCK has no timeout of its own: statement_timeout bounds the wait, so --wait N means N seconds.
    https://docs.aws.amazon.com/redshift/latest/dg/r_statement_timeout.html -#}
SET statement_timeout TO {{ wait_ms }}
