-- One row per line of ratings.csv. The source has no duplicate (userId, movieId) pair
-- (checked: 100,004 lines, 100,004 distinct pairs), so the pair is the primary key and
-- nothing is deduplicated here; if a later edition repeats a pair, the key check fails
-- the run instead of a silent pick.
-- rated_at: the epoch seconds as a UTC timestamp (the macro takes milliseconds, so * 1000;
-- it gives a plain TIMESTAMP on every dialect, so no session time zone shifts the day).
-- date_key: the UTC calendar day as the integer yyyymmdd, the key of the dates dimension
-- (dates.sql takes its rows from here, so this is the one place the rule is written).
-- Portable SQL: extract() and arithmetic only.
select
    r.user_id as user_id,
    r.movie_id as movie_id,
    r.rating as rating,
    r.rated_at as rated_at,
    cast(extract(year from r.rated_at) * 10000
         + extract(month from r.rated_at) * 100
         + extract(day from r.rated_at) as integer) as date_key
from (
    select
        user_id,
        movie_id,
        rating,
        {{ epoch_ms_to_timestamp('epoch_seconds * 1000') }} as rated_at
    from staging_ratings
) as r
