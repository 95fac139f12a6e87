{#- A pruned table leaves the bookkeeping too. -#}
DELETE FROM "_etl_files" WHERE pipeline = {{ pipeline | literal }} AND table_name = {{ table | literal }};
DELETE FROM "_etl_tables" WHERE pipeline = {{ pipeline | literal }} AND table_name = {{ table | literal }}
