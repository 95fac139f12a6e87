{#- The date dimension `init` sketches: one row per calendar day the fact's column holds.
    Expects: day (the column as a date or timestamp, as it reads in SQL), staging, and the output
    names key, year, month, day_of_month, day_of_week. -#}
select distinct
    d as {{ key }},
    cast(extract(year from d) as integer) as {{ year }},
    cast(extract(month from d) as integer) as {{ month }},
    cast(extract(day from d) as integer) as {{ day_of_month }},
    cast(extract(dow from d) as integer) as {{ day_of_week }}
from (select cast({{ day }} as date) as d from {{ staging }}) as days
where d is not null
