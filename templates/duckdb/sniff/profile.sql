{#- What `init`'s star sketch needs to know of a sample: all its rows (to estimate the source's), and
    over the first `limit` rows, for each candidate key column (keys: the names it is read by) its
    distinct and non-null values, and for each column that may hold epoch times (epochs) its
    largest value. Expects what sniff/read.sql does, plus keys, epochs and limit. -#}
SELECT (SELECT count(*) FROM {% include "sniff/read.sql" %}), count(*)
{%- for name in keys %}, count(DISTINCT {{ name | ident }}), count({{ name | ident }}){% endfor %}
{%- for name in epochs %}, max({{ name | ident }}){% endfor %}

FROM (SELECT * FROM {% include "sniff/read.sql" %} LIMIT {{ limit }})
