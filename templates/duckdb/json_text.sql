{#- The small plain files of a load with on_error: fail (text_lines, text_pretty: sorted and vetted in
    engine/targets/_duckdb_json.py), read whole by read_text and cast by one json_transform per record straight
    into the staging table. Optimistic, like read_json for large files: no line numbers, no grouping of lines,
    no reasons; the statement fails on any record the checked read (json_records.sql) would refuse, and that
    read then explains the failure by file and line (load_json_diagnose.sql). On good data it loads what the
    checked read loads, value for value:
    * records: a file's text without its UTF-8 BOM, cut at every line feed (lines) or before every line that
      starts a record (pretty: a line beginning with anything but white space or a closing bracket), blank
      pieces dropped. A piece differs from the checked read's record only by white space outside any value
      (a carriage return before a line feed, blank lines inside a pretty record), which the parser skips; a
      raw chr(30), the cut's marker, is not JSON anywhere, and files holding one stay checked;
    * refused as the checked read refuses: bytes that are not UTF-8 (read_text fails), text that is not JSON
      (json_transform fails, or json_valid where no key goes through it), a key the load reads twice in one
      object, a value that is there and not null but does not cast, a not_null column with no value, and a
      record with no value in any column, which also covers every record that is not an object (null, an
      array, a string, a number: no key reads a value from them);
    * values: the checked read's own expressions (json_struct.sql). -#}
{% import "json_struct.sql" as structs %}
{#- the files' text: bound by the engine, which read it whole to sniff each file (bound_text: the values of
    $etl_lines_files/docs and $etl_pretty_files/docs, path and text in the same order), else read again -#}
{% macro texts(kind, paths) %}{% if bound_text %}(SELECT unnest($etl_{{ kind }}_files) AS filename, unnest($etl_{{ kind }}_docs) AS content){% else %}read_text([{{ paths | literals }}]){% endif %}{% endmacro %}
{% set spec = structs.struct_spec(checked_fields) %}
{% set bare = "CASE WHEN starts_with(content, chr(65279)) THEN substr(content, 2) ELSE content END" %}
INSERT INTO {{ table | ident }} ({% for f in checked_fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for f in checked_fields %}v{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}

FROM (
    SELECT file, doc, keys,
{% for f in checked_fields %}
           {{ structs.value(f) }} AS v{{ loop.index }}{{ "," if not loop.last }}
{% endfor %}
    FROM (
        SELECT file, doc, json_keys(doc) AS keys,
{% if spec %}
               json_transform(doc, {{ spec }}) AS t
{% else %}
               CASE WHEN json_valid(doc) THEN NULL ELSE error(file || ': not valid JSON') END AS t
{% endif %}
        FROM (
{% if text_lines %}
            SELECT filename AS file, unnest(string_split({{ bare }}, chr(10))) AS doc
            FROM {{ texts("lines", text_lines) }}
{% endif %}
{% if text_lines and text_pretty %}
            UNION ALL
{% endif %}
{% if text_pretty %}
            {# the line feed before a record's first line becomes chr(30): no backslash in this SQL (render.py
               splits statements without a tokenizer), so the back-reference is chr(92) || '1' #}
            SELECT filename AS file,
                   unnest(string_split(regexp_replace({{ bare }},
                       chr(10) || '([^]} ' || chr(9) || chr(13) || chr(10) || '])', chr(30) || chr(92) || '1', 'g'),
                       chr(30))) AS doc
            FROM {{ texts("pretty", text_pretty) }}
{% endif %}
        )
        WHERE regexp_matches(doc, '[^ ' || chr(9) || chr(13) || chr(10) || ']')
    )
)
WHERE CASE
    {# a key seen before in the record, then whether the load reads it: the second test runs on the few repeats
       only (list_unique, as the checked read tests, costs twice as much over many small records) #}
    WHEN len(list_filter(list_filter(keys, lambda k, i: list_position(keys, k) < i),
                         lambda k: list_contains([{% for key in dup_keys %}{{ key | literal }}{{ ", " if not loop.last }}{% endfor %}], k))) > 0
        THEN error(file || ': a key read twice in one record (on_error: fail)')
{% for f in checked_fields %}
{% if f.kind in ("json_cast", "text_cast") %}
    WHEN v{{ loop.index }} IS NULL AND {{ structs.source_text(f) }} IS NOT NULL
        THEN error(file || {{ (": column " ~ f.column ~ ": a value that is not " ~ column_type(f.type) ~ " (on_error: fail)") | literal }})
{% endif %}
{% if f.not_null %}
    WHEN v{{ loop.index }} IS NULL
        THEN error(file || {{ (": column " ~ f.column ~ ": missing or null, but declared not_null (on_error: fail)") | literal }})
{% endif %}
{% endfor %}
    WHEN {% for f in checked_fields %}v{{ loop.index }} IS NULL{{ " AND " if not loop.last }}{% endfor %}

        THEN error(file || ': a record with no value in any column (on_error: fail)')
    ELSE true END;
