-- One row per UTC calendar day on which at least one rating was made (not a gap-free
-- calendar: days without ratings are absent). Built from the ratings fact so that
-- date_key is computed in one place (ratings.sql).
-- weekday: 0 = Sunday ... 6 = Saturday (extract(dow), as in the Sparkify time table);
-- week: ISO 8601 week number; quarter: 1-4. Portable SQL (extract, case).
select
    date_key,
    date,
    cast(extract(year from date) as integer) as year,
    cast(extract(quarter from date) as integer) as quarter,
    cast(extract(month from date) as integer) as month,
    cast(extract(day from date) as integer) as day,
    cast(extract(week from date) as integer) as week,
    cast(extract(dow from date) as integer) as weekday,
    case when extract(dow from date) in (0, 6) then true else false end as is_weekend
from (
    select distinct date_key, cast(rated_at as date) as date
    from ratings
) as days
