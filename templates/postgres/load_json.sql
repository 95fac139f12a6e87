{#- The engine streams each JSON document as one row of a JSONB buffer (COPY FROM STDIN), then one
    INSERT ... SELECT picks the keys: by position with JSONPaths, as Redshift COPY does, else by name.
    The buffer is a temporary table, gone with the session or the rolled-back transaction. -#}
CREATE TEMPORARY TABLE {{ buffer | ident }} (doc JSONB);
COPY {{ buffer | ident }} (doc) FROM STDIN;
INSERT INTO {{ table | ident }} ({% for f in fields %}{{ f.column | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT
{% for f in fields %}
    CAST(doc {% if f.path | length > 1 %}#>> ARRAY[{% for s in f.path %}{{ s | string | literal }}{{ ", " if not loop.last }}{% endfor %}]{% else %}->> {{ f.key | literal }}{% endif %} AS {{ column_type(f.type) }}) AS {{ f.column | ident }}{{ "," if not loop.last }}
{% endfor %}
FROM {{ buffer | ident }};
DROP TABLE {{ buffer | ident }};
{#- fresh statistics, or the planner joins the new rows blind (a nested loop over thousands) -#}
ANALYZE {{ table | ident }}
