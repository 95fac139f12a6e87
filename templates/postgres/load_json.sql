{#- The engine streams each JSON document as one row of a json buffer (COPY FROM STDIN; the server checks
    each document as it stores it, and keeps it as text: no jsonb conversion, which costs more at COPY
    than it saves later), then one INSERT ... SELECT parses each document once, with json_to_record,
    into the keys the staging columns read: by position with JSONPaths, as Redshift COPY does, else by
    name. A key read at several types is read as text and cast per column; a nested path digs into its
    top-level key, read as json. The buffer is a temporary table (never WAL-logged), gone with the
    session or the rolled-back transaction. -#}
CREATE TEMPORARY TABLE {{ buffer | ident }} (doc JSON);
COPY {{ buffer | ident }} (doc) FROM STDIN;
INSERT INTO {{ table | ident }} ({% for f in fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT
{% for f in fields %}
{{ "    " }}{% if f.subpath is not none %}CAST(r.{{ f.key | ident }} #>> ARRAY[{% for s in f.path[1:] %}{{ s | string | literal }}{{ ", " if not loop.last }}{% endfor %}] AS {{ column_type(f.type) }}){% elif record[f.key] == f.type %}r.{{ f.key | ident }}{% else %}CAST(r.{{ f.key | ident }} AS {{ column_type(f.type) }}){% endif %} AS {{ f.column | ident }}{{ "," if not loop.last }}
{% endfor %}
FROM {{ buffer | ident }},
    json_to_record({{ buffer | ident }}.doc) AS r({% for key, type in record.items() %}{{ key | ident }} {{ column_type(type) }}{{ ", " if not loop.last }}{% endfor %});
DROP TABLE {{ buffer | ident }};
{#- fresh statistics, or the planner joins the new rows blind (a nested loop over thousands) -#}
ANALYZE {{ table | ident }}
