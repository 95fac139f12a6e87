{#- After a failed run: a CHECKPOINT gives back the blocks the rolled-back run wrote at the end of the file
    (DuckDB writes a large transaction into the file before COMMIT; see engine/diskspace.py). -#}
CHECKPOINT
