-- transforms/songplays.sql, with ref() for the staging tables.
-- One row per NextSong event: every play, matched to the catalogue or not.
-- song_id and artist_id come from an exact match on title, artist name and duration;
-- where several songs match, the smallest song_id wins, so a match never duplicates a play.
-- songplay_id numbers plays in (start time, session, item) order: the same data gives the same ids.
with plays as (
    select *
    from {{ ref('staging_events') }}
    where page = 'NextSong'
),
catalogue as (
    select
        title,
        artist_name,
        duration,
        song_id,
        artist_id,
        row_number() over (
            partition by title, artist_name, duration
            order by song_id, artist_id
        ) as pick
    from {{ ref('staging_songs') }}
    where song_id is not null
)
select
    row_number() over (order by p.ts, p.session_id, p.item_in_session, p.user_id) as songplay_id,
    {{ epoch_ms_to_timestamp('p.ts') }} as start_time,
    cast(nullif(p.user_id, '') as integer) as user_id,
    p.level as level,
    c.song_id as song_id,
    c.artist_id as artist_id,
    p.session_id as session_id,
    p.location as location,
    p.user_agent as user_agent
from plays as p
left join catalogue as c
    on c.pick = 1
    and c.title = p.song
    and c.artist_name = p.artist
    and c.duration = p.length
