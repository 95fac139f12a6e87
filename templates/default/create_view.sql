{#- A kind: view star table: no storage, its SELECT runs whenever it is read. Named columns, so the
    view has exactly the declared ones. -#}
DROP VIEW IF EXISTS {{ view | ident }};
CREATE VIEW {{ view | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %}) AS
{{ select }}
