{#- Why the last COPY failed. The failed COPY aborted the transaction, so end it first. Not
    pg_last_copy_id(): "If the COPY transaction is rolled back, the COPY ID is not updated"
    (https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_ID.html), so after the rollback it names
    an earlier COPY or nothing. The rows are found by this session (pg_backend_pid(), which AWS says is not
    globally unique: https://docs.aws.amazon.com/redshift/latest/dg/PG_BACKEND_PID.html), bounded by the
    session's start and by the source's prefix, and only the session's latest load with errors is shown.
    The adapter tries the queries in order and keeps the first that answers with rows: STL_LOAD_ERRORS
    (https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html), then SYS_LOAD_ERROR_DETAIL,
    which Serverless has and STL views are not on
    (https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_ERROR_DETAIL.html). -#}
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
WHERE session = pg_backend_pid()
  AND starttime >= (SELECT MAX(starttime) FROM stv_sessions WHERE process = pg_backend_pid())
{% if prefix %}
  AND TRIM(filename) LIKE {{ (prefix ~ "%") | literal }}
{% endif %}
  AND query = (SELECT MAX(query) FROM stl_load_errors
               WHERE session = pg_backend_pid()
                 AND starttime >= (SELECT MAX(starttime) FROM stv_sessions WHERE process = pg_backend_pid()))
ORDER BY line_number
LIMIT 10;
SELECT
    TRIM(file_name) AS filename,
    line_number,
    TRIM(column_name) AS colname,
    TRIM(column_type) AS col_type,
    CAST(NULL AS VARCHAR) AS raw_value,
    error_code,
    TRIM(error_message) AS reason
FROM sys_load_error_detail
WHERE session_id = pg_backend_pid()
  AND start_time >= (SELECT MAX(start_time) FROM sys_session_history WHERE session_id = pg_backend_pid())
{% if prefix %}
  AND TRIM(file_name) LIKE {{ (prefix ~ "%") | literal }}
{% endif %}
  AND query_id = (SELECT MAX(query_id) FROM sys_load_error_detail
                  WHERE session_id = pg_backend_pid()
                    AND start_time >= (SELECT MAX(start_time) FROM sys_session_history
                                       WHERE session_id = pg_backend_pid()))
ORDER BY line_number
LIMIT 10
