{#- Redshift analyzes a new table by itself only after COPY into an empty table, CTAS and SELECT INTO
    ("Analyzing tables", https://docs.aws.amazon.com/redshift/latest/dg/t_Analyzing_tables.html): after
    INSERT ... SELECT the planner would plan the star's first queries without statistics. -#}
INSERT INTO {{ table | ident }} ({% for c in columns %}{{ c.name | ident }}{{ ", " if not loop.last }}{% endfor %})
{{ select }};
ANALYZE {{ table | ident }}
