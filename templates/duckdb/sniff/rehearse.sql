{#- The rehearsal of a load on the sample: read with the drafted types, count every column, so a
    value that does not convert fails here rather than in the first run. Parquet has no declared
    columns: its values are cast. Expects what sniff/read.sql does, plus counted (a list of
    [name, type]) and limit. -#}
SELECT {% for name, type in counted %}count({% if format == "parquet" %}CAST({{ name | ident }} AS {{ type | upper }}){% else %}{{ name | ident }}{% endif %}){{ ", " if not loop.last }}{% endfor %}

FROM (SELECT * FROM {% include "sniff/read.sql" %} LIMIT {{ limit }})
