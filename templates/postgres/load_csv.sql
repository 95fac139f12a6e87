{#- Straight into the staging table: the engine streams every file (its header line dropped),
    the server parses and casts. The column list is the first file's header (columns in its order);
    a file laid out differently is reordered by the engine as it streams (match_columns: position
    keeps the declared order). -#}
COPY {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
FROM STDIN WITH (FORMAT csv, DELIMITER {{ delimiter | literal }}, QUOTE {{ quote | literal }}{% if null_string is not none %}, NULL {{ null_string | literal }}{% endif %});
ANALYZE {{ table | ident }}
