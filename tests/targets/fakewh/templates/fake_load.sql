{#- fakewh's own load: every listed file read with read_json, columns typed as declared. -#}
INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
SELECT {% for c in columns %}CAST({{ c.name | ident }} AS {{ column_type(c.type) }}){{ ", " if not loop.last }}{% endfor %}
FROM read_json([{% for p in paths %}{{ p | literal }}{{ ", " if not loop.last }}{% endfor %}], format = 'newline_delimited',
               columns = { {%- for c in columns %}{{ c.name | literal }}: {{ column_type(c.type) | literal }}{{ ", " if not loop.last }}{% endfor -%} })
