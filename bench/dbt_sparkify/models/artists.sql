-- transforms/artists.sql, with ref() for the staging tables.
-- One row per artist_id. Song files describe some artists differently (a location in
-- one file and none in another, coordinates or none): keep the most complete
-- description, then the smallest values, so the pick never depends on file order.
select artist_id, name, location, latitude, longitude
from (
    select
        artist_id,
        artist_name as name,
        nullif(trim(artist_location), '') as location,
        artist_latitude as latitude,
        artist_longitude as longitude,
        row_number() over (
            partition by artist_id
            order by (case when artist_latitude is null then 1 else 0 end)
                     + (case when nullif(trim(artist_location), '') is null then 1 else 0 end),
                     artist_name nulls last,
                     artist_location nulls last,
                     artist_latitude nulls last,
                     artist_longitude nulls last
        ) as pick
    from {{ ref('staging_songs') }}
    where artist_id is not null
) as a
where pick = 1
