-- One row per user who rated OR tagged a movie. MovieLens users carry no attributes
-- (no demographics), so the dimension holds the id plus activity figures. Tags count
-- too because tags.csv shares the user ids (README.txt) and a later tags fact would
-- need its users here; in ml-latest-small every tagger also rated, so the union and
-- the raters alone give the same 671 users.
-- rating_count / tag_count: 0 when the user did none; first/last_rated_at: NULL then.
-- Portable SQL (union, outer joins, coalesce).
select
    u.user_id as user_id,
    cast(coalesce(r.rating_count, 0) as integer) as rating_count,
    cast(coalesce(t.tag_count, 0) as integer) as tag_count,
    r.first_rated_at as first_rated_at,
    r.last_rated_at as last_rated_at
from (
    select user_id from staging_ratings
    union
    select user_id from staging_tags
) as u
left join (
    select
        user_id,
        count(*) as rating_count,
        min(rated_at) as first_rated_at,
        max(rated_at) as last_rated_at
    from ratings
    group by user_id
) as r on r.user_id = u.user_id
left join (
    select user_id, count(*) as tag_count
    from staging_tags
    group by user_id
) as t on t.user_id = u.user_id
