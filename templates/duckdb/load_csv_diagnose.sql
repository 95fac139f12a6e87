{#- Why a CSV load (on_error: fail) failed: end the aborted transaction, read the files again with the
    reader's rejects tables on (nothing else is written) and list the first bad lines. Read as declared,
    without sniffing, so that a file too broken to sniff still shows its bad lines; DuckDB's own message
    is kept beside them. -#}
{% set errors_table = "_etl_csv_errors_" ~ table %}
{% set scans_table = "_etl_csv_scans_" ~ table %}
ROLLBACK;
{#- every column read (a count alone would skip the casts), into a throwaway table -#}
{% for compression, files, layout in groups %}
CREATE OR REPLACE TEMP TABLE {{ ("_etl_csv_rows_" ~ table) | ident }} AS
SELECT *
{% set skip = true %}{% include "read_csv.sql" %};
{% endfor %}
SELECT file, line, reason, left(raw, 200), count(*) OVER (), {{ source | literal }}, true
FROM (
    SELECT s.file_path AS file, e.line, string_agg(e.error_message, '; ' ORDER BY e.column_idx) AS reason,
           trim(any_value(e.csv_line), chr(13) || chr(10)) AS raw
    FROM {{ errors_table | ident }} AS e JOIN {{ scans_table | ident }} AS s USING (scan_id, file_id)
    GROUP BY s.file_path, e.line
)
ORDER BY file, line
LIMIT 5
