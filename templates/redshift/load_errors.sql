{#- Why the last COPY failed. The failed COPY aborted the transaction, so end it first;
    pg_last_copy_id() still names the failed COPY (it is set when the load starts). -#}
ROLLBACK;
SELECT
    TRIM(filename) AS filename,
    line_number,
    TRIM(colname) AS colname,
    TRIM(type) AS col_type,
    TRIM(raw_field_value) AS raw_value,
    err_code,
    TRIM(err_reason) AS reason
FROM stl_load_errors
WHERE query = pg_last_copy_id()
ORDER BY line_number
LIMIT 10
