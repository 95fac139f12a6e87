INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
{{ select }}
