{#- Why a fast JSON load (on_error: fail) failed: the failed statement aborted the transaction, so end it, run
    the checks of a skip load over the same files (into temp tables, nothing else written) and list the first
    bad records by file and line. read_json's own message is left out: it is one line off for malformed JSON
    and does not name the column of a value it cannot cast. -#}
{% import "json_records.sql" as records with context %}
ROLLBACK;
{{ records.read_lines() }};
{{ records.check_records() }};
SELECT _etl_file, _etl_line, _etl_reason, left(_etl_raw, 200), count(*) OVER (), {{ source | literal }}, false
FROM {{ records.checked_table | ident }}
WHERE _etl_reason IS NOT NULL
ORDER BY _etl_file, _etl_line
LIMIT 5
