{#- explain --measure: a table's rows, and per column how many values are not NULL and the longest text in
    bytes (strlen counts bytes; Redshift's VARCHAR(n) is n bytes). -#}
SELECT count(*){% for c in columns %}, count({{ c.name | ident }}), {% if c.text %}max(strlen(CAST({{ c.name | ident }} AS VARCHAR))){% else %}NULL{% endif %}{% endfor %}

FROM {{ table | ident }}
