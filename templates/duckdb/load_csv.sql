{#- One set-based statement per source and header layout; a file with a header fills the columns by the
    header's names (layout: the fields in the file's order, and which column each loaded one fills),
    else by position; DuckDB's reader casts them to the staging types. A quote inside a quoted
    field is doubled (RFC 4180): said explicitly, because DuckDB's sniffer guesses "no escape" when
    the first rows it samples hold no doubled quote, and then fails far into the file.
    With on_error: skip the reader keeps the rows it cannot read or cast out of the table and in its
    rejects tables (file, line, error, the line's text), which go on to _etl_rejects; it then reads the
    files exactly as declared, without sniffing, so a file too broken to sniff is still read line by
    line (dates and timestamps must then be ISO, YYYY-MM-DD). -#}
{% set skip = on_error == "skip" %}
{% set errors_table = "_etl_csv_errors_" ~ table %}
{% set scans_table = "_etl_csv_scans_" ~ table %}
{% if skip %}
{% include "rejects/create.sql" %};
{% endif %}
{% for compression, files, layout in groups %}
INSERT INTO {{ table | ident }} ({% for field, column in layout.select %}{{ column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for field, column in layout.select %}{{ field | ident }}{% if field != column %} AS {{ column | ident }}{% endif %}{{ ", " if not loop.last }}{% endfor %}

{% include "read_csv.sql" %}{{ ";" if skip or not loop.last }}
{% endfor %}
{% if skip %}
{#- one bad record per line, whatever number of its fields failed -#}
{% set rejects_query = "SELECT s.file_path AS file, e.line, string_agg(e.error_message, '; ' ORDER BY e.column_idx) AS reason, "
                       ~ "trim(any_value(e.csv_line), chr(13) || chr(10)) AS raw FROM " ~ (errors_table | ident) ~ " AS e JOIN "
                       ~ (scans_table | ident) ~ " AS s USING (scan_id, file_id) GROUP BY s.file_path, e.line" %}
{% include "rejects/guard.sql" %};
{% include "rejects/insert.sql" %};
DROP TABLE IF EXISTS {{ errors_table | ident }};
DROP TABLE IF EXISTS {{ scans_table | ident }}
{% endif %}
