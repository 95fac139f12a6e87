DELETE FROM "_etl_files" WHERE pipeline = {{ pipeline | literal }};
DELETE FROM "_etl_tables" WHERE pipeline = {{ pipeline | literal }}
