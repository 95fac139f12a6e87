{#- A rebuilt table's bookkeeping starts over; other tables' rows stay. -#}
DELETE FROM "_etl_files" WHERE pipeline = {{ pipeline | literal }}
  AND table_name IN ({% for t in tables %}{{ t | literal }}{{ ", " if not loop.last }}{% endfor %});
DELETE FROM "_etl_tables" WHERE pipeline = {{ pipeline | literal }}
  AND table_name IN ({% for t in tables %}{{ t | literal }}{{ ", " if not loop.last }}{% endfor %})
