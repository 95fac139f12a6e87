-- transforms/songs.sql, with ref() for the staging tables.
-- One row per song_id, also where the source repeats a song (one real file holds a
-- second copy of another file's song). The rule that picks the row: a known year first,
-- then the smallest title, artist and duration, so the pick never depends on file order.
-- The Million Song Dataset writes an unknown year as 0; here it is NULL.
select song_id, title, artist_id, year, duration
from (
    select
        song_id,
        title,
        artist_id,
        nullif(year, 0) as year,
        duration,
        row_number() over (
            partition by song_id
            order by case when nullif(year, 0) is null then 1 else 0 end,
                     title, artist_id, duration
        ) as pick
    from {{ ref('staging_songs') }}
    where song_id is not null
) as s
where pick = 1
