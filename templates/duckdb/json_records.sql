{#- Macros for checked JSON loads (on_error: skip) and for explaining a failed fast load (on_error: fail).
    Imported "with context": they read the load's context (table, plain_files, gzip_files, checked_fields,
    dup_keys). All set-based: files are read whole, cut into lines and records by SQL, checked and cast
    in a few statements; Python touches no row.

    read_lines():    temp table of every line of every file: file, line (1-based), text (NULL where the
                     bytes are not UTF-8), raw (what to show instead) and bad (why the line is unusable).
    check_records(): temp table of every record: _etl_file, _etl_line, _etl_raw, _etl_reason (NULL for
                     a good record) and v1..vN, the staging values cast the way the fast path casts them.
    drop_temp():     the temp tables, gone. -#}

{% import "json_struct.sql" as structs %}
{% set lines_table = "_etl_lines_" ~ table %}
{% set gz_table = "_etl_gz_" ~ table %}
{% set gz_errors = "_etl_gz_errors_" ~ table %}
{% set gz_scans = "_etl_gz_scans_" ~ table %}
{% set checked_table = "_etl_checked_" ~ table %}

{% macro read_lines() %}
{% if gzip_files %}
{# DuckDB cannot gunzip a blob, so gzip files are read by the CSV reader as one text column (no quote, no
    escape, a delimiter no text holds), numbered WITH ORDINALITY (the reader keeps file order). Lines it
    cannot decode (not UTF-8, longer than 16 MiB) go to its rejects table with their line number and drop
    out of the numbering, which the next statement puts back. The CSV reader also ends a line at a lone
    carriage return, so in a gzip file that holds one the later line numbers run ahead. #}
CREATE OR REPLACE TEMP TABLE {{ gz_table | ident }} AS
SELECT filename AS file, text, n
FROM read_csv(
    [{{ gzip_files | literals }}],
    columns = {'text': 'VARCHAR'},
    header = false,
    auto_detect = false,
    delim = chr(1) || chr(2) || chr(3) || chr(4),
    quote = '',
    escape = '',
    strict_mode = false,
    max_line_size = 16777216,
    filename = true,
    compression = 'gzip',
    store_rejects = true,
    rejects_table = {{ gz_errors | literal }},
    rejects_scan = {{ gz_scans | literal }}
) WITH ORDINALITY AS r(text, filename, n);
{% endif %}
CREATE OR REPLACE TEMP TABLE {{ lines_table | ident }} AS
WITH
{% if plain_files %}
blobs AS MATERIALIZED (
    SELECT filename AS file, content, try(decode(content)) AS text
    FROM read_blob([{{ plain_files | literals }}])
){{ "," if gzip_files }}
{% endif %}
{% if gzip_files %}
gz_rejected AS (
    SELECT DISTINCT s.file_path AS file, e.line, e.csv_line, e.error_type, e.error_message
    FROM {{ gz_errors | ident }} AS e JOIN {{ gz_scans | ident }} AS s USING (scan_id, file_id)
),
gz_gaps AS (
    {# a line the reader rejected, and how many lines of its file it kept before it #}
    SELECT file, line - row_number() OVER (PARTITION BY file ORDER BY line) AS kept_before FROM gz_rejected
)
{% endif %}
{% if plain_files %}
{# UTF-8 files: the text split at line feeds #}
SELECT file, generate_subscripts(parts, 1) AS line, unnest(parts) AS text,
       CAST(NULL AS VARCHAR) AS raw, CAST(NULL AS VARCHAR) AS bad
FROM (SELECT file, string_split(text, chr(10)) AS parts FROM blobs WHERE text IS NOT NULL)
UNION ALL
{# files holding bytes that are not UTF-8: the escaped form of the bytes split at \x0A (the only line
    feed in it, since a backslash is escaped as \x5C), each line decoded on its own #}
SELECT file, line, try(decode(bytes)) AS text, decode(bytes, 'replace') AS raw,
       CASE WHEN try(decode(bytes)) IS NULL THEN 'not valid UTF-8' END AS bad
FROM (
    SELECT file, generate_subscripts(parts, 1) AS line, CAST(unnest(parts) AS BLOB) AS bytes
    FROM (SELECT file, string_split(CAST(content AS VARCHAR), chr(92) || 'x0A') AS parts FROM blobs WHERE text IS NULL)
)
{% if gzip_files %}
UNION ALL
{% endif %}
{% endif %}
{% if gzip_files %}
SELECT g.file,
       g.k + (SELECT count(*) FROM gz_gaps WHERE gz_gaps.file = g.file AND gz_gaps.kept_before < g.k) AS line,
       g.text, CAST(NULL AS VARCHAR) AS raw, CAST(NULL AS VARCHAR) AS bad
FROM (SELECT file, text, n - min(n) OVER (PARTITION BY file) + 1 AS k FROM {{ gz_table | ident }}) AS g
UNION ALL
SELECT file, line, NULL, trim(csv_line, chr(13) || chr(10)),
       CASE error_type WHEN 'INVALID ENCODING' THEN 'not valid UTF-8'
                       WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line longer than 16 MiB (gzip files)'
                       ELSE error_message END
FROM gz_rejected
{% endif %}
{% endmacro %}

{% macro check_records() %}
{# Records, by the file's layout (decided in engine/targets/duckdb_json.py from its first non-blank line;
    multiline_files lists the pretty and array ones): in a lines file every non-blank line; in a pretty or
    array file a record starts at each line that begins in column 1 with anything but white space or a
    closing bracket, so concatenated pretty-printed objects split where a formatter starts them, and a
    record that is an array is taken apart into its elements. In a lines file an array line is one bad
    record, as read_json(format='newline_delimited') refuses it. Then each record is checked the way the
    fast path would fail on it, and cast with the same rules: JSON values through TRY_CAST of the JSON
    (as read_json casts), nested paths through TRY_CAST of the text (as load_json.sql casts them). A record
    with no value in any column (null, {}, or none of the keys the load reads) is bad too: the fast path
    cannot tell a null line from an empty object, so both policies refuse both. #}
CREATE OR REPLACE TEMP TABLE {{ checked_table | ident }} AS
{# no backslash in this SQL (chr() instead), so its statements split without a full tokenizer (render.py);
   trim() and rtrim() are slow in DuckDB (they walk the text by grapheme): ends_with, substr and a regular
   expression do the same work here for a fraction of the time #}
WITH lines AS (
    SELECT file, line, raw, bad,
           {# read_json takes a vertical tab or form feed around a line's value as white space #}
           CASE WHEN contains(t, chr(11)) OR contains(t, chr(12)) THEN regexp_replace(t, '^[' || chr(9) || chr(11) || chr(12) || ' ]+|[' || chr(9) || chr(11) || chr(12) || chr(13) || ' ]+$', '', 'g')
                WHEN ends_with(t, chr(13)) THEN substr(t, 1, length(t) - 1) ELSE t END AS text
    FROM (SELECT *, CASE WHEN line = 1 AND starts_with(text, chr(65279)) THEN substr(text, 2) ELSE text END AS t
          FROM {{ lines_table | ident }})
),
used AS (SELECT * FROM lines WHERE bad IS NOT NULL OR regexp_matches(text, '[^ ' || chr(9) || chr(13) || chr(10) || ']')),
files AS (
    SELECT DISTINCT file, list_contains(CAST([{{ multiline_files | literals }}] AS VARCHAR[]), file) AS pretty
    FROM used
),
records AS (
    SELECT u.file, u.line, u.text, coalesce(u.raw, u.text) AS raw, u.bad, false AS pretty
    FROM used AS u JOIN files AS f USING (file)
    WHERE NOT f.pretty
    UNION ALL
    SELECT file, min(line), string_agg(text, chr(10) ORDER BY line), string_agg(coalesce(raw, text), chr(10) ORDER BY line),
           max(bad), true
    FROM (
        SELECT u.*, sum(CASE WHEN left(u.text, 1) NOT IN (' ', chr(9), '}', ']') THEN 1 ELSE 0 END)
                    OVER (PARTITION BY u.file ORDER BY u.line) AS record
        FROM used AS u JOIN files AS f USING (file)
        WHERE f.pretty
    )
    GROUP BY file, record
),
typed_records AS (
    {# CASE, not AND: DuckDB evaluates both sides of an AND, and json_type fails on text that is not JSON #}
    SELECT *, CASE WHEN bad IS NULL AND json_valid(text) THEN json_type(text) END AS kind FROM records
),
docs AS (
    SELECT file, line, raw, bad, text AS doc, kind FROM typed_records WHERE kind IS DISTINCT FROM 'ARRAY' OR NOT pretty
    UNION ALL
    {# a top-level array of a pretty or array file: its elements are the records (valid JSON, being parts of
       valid JSON); an element that is not an object is one bad record #}
    SELECT file, line, doc AS raw, NULL AS bad, doc, json_type(doc) AS kind
    FROM (SELECT file, line, unnest(CAST(json_extract(text, '$[*]') AS VARCHAR[])) AS doc
          FROM typed_records WHERE kind = 'ARRAY' AND pretty)
),
parsed AS (
    SELECT file, line, raw, doc,
           CASE
               WHEN bad IS NOT NULL THEN bad
               WHEN kind IS NULL THEN
                   CASE WHEN left(trim(doc), 1) = '{' AND right(trim(doc), 1) <> '}'
                        THEN 'not valid JSON: the object is not closed (cut short?)' ELSE 'not valid JSON' END
               WHEN kind <> 'OBJECT' THEN 'not a JSON object but ' ||
                   CASE kind WHEN 'ARRAY' THEN 'an array' WHEN 'VARCHAR' THEN 'a string' WHEN 'BOOLEAN' THEN 'a boolean'
                             WHEN 'NULL' THEN 'null' ELSE 'a number' END
               {# read_json refuses an object that holds a key it reads twice; other keys may repeat #}
               WHEN len(keys) <> list_unique(keys) THEN
                   'duplicate key "' || list_filter(keys, lambda k, i: list_position(keys, k) < i
                       AND list_contains([{% for key in dup_keys %}{{ key | literal }}{{ ", " if not loop.last }}{% endfor %}], k))[1] || '"'
           END AS reason
    FROM (SELECT *, CASE WHEN kind = 'OBJECT' THEN json_keys(doc) END AS keys FROM docs)
),
{% set spec = structs.struct_spec(checked_fields) %}
{# The values: the top-level keys through one json_transform (the reader's own casts, NULL where one fails),
   the others by path; a value's text is looked up only where its cast gave NULL, to tell a JSON null or a
   missing key from a value that does not cast. #}
typed AS (
    SELECT file, line, raw,
{% for f in checked_fields %}
{% set i = loop.index %}
           {{ structs.value(f) }} AS v{{ i }},
{% if f.kind in ("json_cast", "text_cast") %}
           CASE WHEN v{{ i }} IS NULL THEN {{ structs.source_text(f) }} END AS s{{ i }},
{% endif %}
{% endfor %}
           reason
    FROM (SELECT * REPLACE (CASE WHEN reason IS NULL THEN doc END AS doc),
{% if spec %}
                 CASE WHEN reason IS NULL THEN json_transform(doc, {{ spec }}) END AS t
{% else %}
                 NULL AS t
{% endif %}
          FROM parsed)
)
SELECT file AS _etl_file, line AS _etl_line, raw AS _etl_raw,
       coalesce(reason, nullif(concat_ws('; ',
{% for f in checked_fields %}
{% set i = loop.index %}
{% if f.kind in ("json_cast", "text_cast") %}
           CASE WHEN reason IS NULL AND s{{ i }} IS NOT NULL
                THEN {{ ("column " ~ f.column ~ ": '") | literal }} || left(s{{ i }}, 100) || {{ ("' is not " ~ column_type(f.type)) | literal }} END,
{% endif %}
{% if f.not_null %}
           CASE WHEN reason IS NULL AND v{{ i }} IS NULL{% if f.kind in ("json_cast", "text_cast") %} AND s{{ i }} IS NULL{% endif %}

                THEN {{ ("column " ~ f.column ~ ": missing or null, but declared not_null") | literal }} END,
{% endif %}
{% endfor %}
           CASE WHEN reason IS NULL{% for f in checked_fields %} AND v{{ loop.index }} IS NULL{% if f.kind in ("json_cast", "text_cast") %} AND s{{ loop.index }} IS NULL{% endif %}{% endfor %}

                THEN 'no value in any column (the record is empty, or holds none of the keys the load reads)' END,
           NULL), '')) AS _etl_reason,
{% for f in checked_fields %}
       v{{ loop.index }}{{ "," if not loop.last }}
{% endfor %}
FROM typed
{% endmacro %}

{% macro drop_temp() %}
{% if gzip_files %}
DROP TABLE IF EXISTS {{ gz_table | ident }};
DROP TABLE IF EXISTS {{ gz_errors | ident }};
DROP TABLE IF EXISTS {{ gz_scans | ident }};
{% endif %}
DROP TABLE IF EXISTS {{ lines_table | ident }};
DROP TABLE IF EXISTS {{ checked_table | ident }}
{% endmacro %}
