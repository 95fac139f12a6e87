{#- A JSON load with on_error: skip. Every line of every file is read and checked in SQL: good records go to
    the staging table, cast as the fast path (load_json.sql) casts them; bad ones go to _etl_rejects with file,
    line, reason and raw text; more than max_errors bad ones fail the load. Records are lines, or
    pretty-printed objects (see json_records.sql). -#}
{% import "json_records.sql" as records with context %}
{% set rejects_query = "SELECT _etl_file AS file, _etl_line AS line, _etl_reason AS reason, _etl_raw AS raw FROM "
                       ~ (records.checked_table | ident) ~ " WHERE _etl_reason IS NOT NULL" %}
{% include "rejects/create.sql" %};
{{ records.read_lines() }};
{{ records.check_records() }};
{% include "rejects/guard.sql" %};
INSERT INTO {{ table | ident }} ({% for f in checked_fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for f in checked_fields %}v{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}

FROM {{ records.checked_table | ident }}
WHERE _etl_reason IS NULL;
{% include "rejects/insert.sql" %};
{{ records.drop_temp() }}
