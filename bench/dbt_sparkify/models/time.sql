-- transforms/time.sql, with ref() for the staging tables.
-- One row per distinct event timestamp over all events (not only plays).
-- weekday: 0 = Sunday ... 6 = Saturday; week: ISO week number.
select
    start_time,
    cast(extract(hour from start_time) as integer) as hour,
    cast(extract(day from start_time) as integer) as day,
    cast(extract(week from start_time) as integer) as week,
    cast(extract(month from start_time) as integer) as month,
    cast(extract(year from start_time) as integer) as year,
    cast(extract(dow from start_time) as integer) as weekday
from (
    select distinct {{ epoch_ms_to_timestamp('ts') }} as start_time
    from {{ ref('staging_events') }}
    where ts is not null
) as stamps
