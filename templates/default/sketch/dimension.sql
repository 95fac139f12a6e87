{#- The SELECT of a dimension `init` sketches: one row per key, whatever the staging rows repeat.
    Expects: key, attributes (names as they read in SQL), staging. -#}
select {{ key }}{% for a in attributes %}, max({{ a }}) as {{ a }}{% endfor %}

from {{ staging }}
where {{ key }} is not null
group by {{ key }}
