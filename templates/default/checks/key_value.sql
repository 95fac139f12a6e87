{#- One number of a table's key scan (checks/key_scan.sql). -#}
SELECT {{ value | ident }} FROM {{ scan | ident }}
