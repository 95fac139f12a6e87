{#- Straight into the staging table: the engine streams every file (its header line dropped),
    the server parses and casts. Columns are matched by position, as on every target. -#}
COPY {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
FROM STDIN WITH (FORMAT csv, DELIMITER {{ delimiter | literal }}, QUOTE {{ quote | literal }}{% if null_string is not none %}, NULL {{ null_string | literal }}{% endif %});
ANALYZE {{ table | ident }}
