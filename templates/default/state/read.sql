SELECT table_name, definition FROM "_etl_tables" WHERE pipeline = {{ pipeline | literal }};
SELECT table_name, file, size, version FROM "_etl_files" WHERE pipeline = {{ pipeline | literal }}
