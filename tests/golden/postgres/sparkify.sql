-- begin
BEGIN TRANSACTION;

-- create:staging_events
DROP TABLE IF EXISTS "staging_events";

-- create:staging_events
CREATE TABLE "staging_events" (
    "artist" VARCHAR,
    "auth" VARCHAR,
    "first_name" VARCHAR,
    "gender" VARCHAR,
    "item_in_session" INTEGER,
    "last_name" VARCHAR,
    "length" DOUBLE PRECISION,
    "level" VARCHAR,
    "location" VARCHAR,
    "method" VARCHAR,
    "page" VARCHAR,
    "registration" DOUBLE PRECISION,
    "session_id" INTEGER,
    "song" VARCHAR,
    "status" INTEGER,
    "ts" BIGINT,
    "user_agent" VARCHAR,
    "user_id" VARCHAR
);

-- create:staging_songs
DROP TABLE IF EXISTS "staging_songs";

-- create:staging_songs
CREATE TABLE "staging_songs" (
    "num_songs" INTEGER,
    "artist_id" VARCHAR,
    "artist_latitude" DOUBLE PRECISION,
    "artist_longitude" DOUBLE PRECISION,
    "artist_location" VARCHAR,
    "artist_name" VARCHAR,
    "song_id" VARCHAR,
    "title" VARCHAR,
    "duration" DOUBLE PRECISION,
    "year" INTEGER
);

-- create:songplays
DROP TABLE IF EXISTS "songplays";

-- create:songplays
CREATE TABLE "songplays" (
    "songplay_id" BIGINT NOT NULL,
    "start_time" TIMESTAMP NOT NULL,
    "user_id" INTEGER,
    "level" VARCHAR,
    "song_id" VARCHAR,
    "artist_id" VARCHAR,
    "session_id" INTEGER,
    "location" VARCHAR,
    "user_agent" VARCHAR
);

-- create:users
DROP TABLE IF EXISTS "users";

-- create:users
CREATE TABLE "users" (
    "user_id" INTEGER NOT NULL,
    "first_name" VARCHAR,
    "last_name" VARCHAR,
    "gender" VARCHAR,
    "level" VARCHAR
);

-- create:songs
DROP TABLE IF EXISTS "songs";

-- create:songs
CREATE TABLE "songs" (
    "song_id" VARCHAR NOT NULL,
    "title" VARCHAR,
    "artist_id" VARCHAR,
    "year" INTEGER,
    "duration" DOUBLE PRECISION
);

-- create:artists
DROP TABLE IF EXISTS "artists";

-- create:artists
CREATE TABLE "artists" (
    "artist_id" VARCHAR NOT NULL,
    "name" VARCHAR,
    "location" VARCHAR,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION
);

-- create:time
DROP TABLE IF EXISTS "time";

-- create:time
CREATE TABLE "time" (
    "start_time" TIMESTAMP NOT NULL,
    "hour" INTEGER,
    "day" INTEGER,
    "week" INTEGER,
    "month" INTEGER,
    "year" INTEGER,
    "weekday" INTEGER
);

-- load:staging_events
CREATE TEMPORARY TABLE "_etl_load_staging_events" (doc JSONB);

-- load:staging_events
COPY "_etl_load_staging_events" (doc) FROM STDIN;

-- load:staging_events
INSERT INTO "staging_events" ("artist", "auth", "first_name", "gender", "item_in_session", "last_name", "length", "level", "location", "method", "page", "registration", "session_id", "song", "status", "ts", "user_agent", "user_id")
SELECT
    CAST(doc ->> 'artist' AS VARCHAR) AS "artist",
    CAST(doc ->> 'auth' AS VARCHAR) AS "auth",
    CAST(doc ->> 'firstName' AS VARCHAR) AS "first_name",
    CAST(doc ->> 'gender' AS VARCHAR) AS "gender",
    CAST(doc ->> 'itemInSession' AS INTEGER) AS "item_in_session",
    CAST(doc ->> 'lastName' AS VARCHAR) AS "last_name",
    CAST(doc ->> 'length' AS DOUBLE PRECISION) AS "length",
    CAST(doc ->> 'level' AS VARCHAR) AS "level",
    CAST(doc ->> 'location' AS VARCHAR) AS "location",
    CAST(doc ->> 'method' AS VARCHAR) AS "method",
    CAST(doc ->> 'page' AS VARCHAR) AS "page",
    CAST(doc ->> 'registration' AS DOUBLE PRECISION) AS "registration",
    CAST(doc ->> 'sessionId' AS INTEGER) AS "session_id",
    CAST(doc ->> 'song' AS VARCHAR) AS "song",
    CAST(doc ->> 'status' AS INTEGER) AS "status",
    CAST(doc ->> 'ts' AS BIGINT) AS "ts",
    CAST(doc ->> 'userAgent' AS VARCHAR) AS "user_agent",
    CAST(doc ->> 'userId' AS VARCHAR) AS "user_id"
FROM "_etl_load_staging_events";

-- load:staging_events
DROP TABLE "_etl_load_staging_events";

-- load:staging_events
ANALYZE "staging_events";

-- load:staging_songs
CREATE TEMPORARY TABLE "_etl_load_staging_songs" (doc JSONB);

-- load:staging_songs
COPY "_etl_load_staging_songs" (doc) FROM STDIN;

-- load:staging_songs
INSERT INTO "staging_songs" ("num_songs", "artist_id", "artist_latitude", "artist_longitude", "artist_location", "artist_name", "song_id", "title", "duration", "year")
SELECT
    CAST(doc ->> 'num_songs' AS INTEGER) AS "num_songs",
    CAST(doc ->> 'artist_id' AS VARCHAR) AS "artist_id",
    CAST(doc ->> 'artist_latitude' AS DOUBLE PRECISION) AS "artist_latitude",
    CAST(doc ->> 'artist_longitude' AS DOUBLE PRECISION) AS "artist_longitude",
    CAST(doc ->> 'artist_location' AS VARCHAR) AS "artist_location",
    CAST(doc ->> 'artist_name' AS VARCHAR) AS "artist_name",
    CAST(doc ->> 'song_id' AS VARCHAR) AS "song_id",
    CAST(doc ->> 'title' AS VARCHAR) AS "title",
    CAST(doc ->> 'duration' AS DOUBLE PRECISION) AS "duration",
    CAST(doc ->> 'year' AS INTEGER) AS "year"
FROM "_etl_load_staging_songs";

-- load:staging_songs
DROP TABLE "_etl_load_staging_songs";

-- load:staging_songs
ANALYZE "staging_songs";

-- transform:songplays
INSERT INTO "songplays" ("songplay_id", "start_time", "user_id", "level", "song_id", "artist_id", "session_id", "location", "user_agent")
-- One row per NextSong event: every play, matched to the catalogue or not.
-- song_id and artist_id come from an exact match on title, artist name and duration;
-- where several songs match, the smallest song_id wins, so a match never duplicates a play.
-- songplay_id numbers plays in (start time, session, item) order: the same data gives the same ids.
with plays as (
    select *
    from staging_events
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
    from staging_songs
    where song_id is not null
)
select
    row_number() over (order by p.ts, p.session_id, p.item_in_session, p.user_id) as songplay_id,
    (TIMESTAMP 'epoch' + (p.ts) / 1000.0 * INTERVAL '1 second') as start_time,
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
    and c.duration = p.length;

-- transform:users
INSERT INTO "users" ("user_id", "first_name", "last_name", "gender", "level")
-- One row per user over all events that carry a user id (logged-out events carry '').
-- Names, gender and level come from the user's latest event, so a user who moved
-- from free to paid during the period is paid here. Ties on ts fall to the later item.
select user_id, first_name, last_name, gender, level
from (
    select
        cast(user_id as integer) as user_id,
        first_name,
        last_name,
        gender,
        level,
        row_number() over (
            partition by user_id
            order by ts desc, session_id desc, item_in_session desc
        ) as recency
    from staging_events
    where user_id <> ''
) as latest
where recency = 1;

-- transform:songs
INSERT INTO "songs" ("song_id", "title", "artist_id", "year", "duration")
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
    from staging_songs
    where song_id is not null
) as s
where pick = 1;

-- transform:artists
INSERT INTO "artists" ("artist_id", "name", "location", "latitude", "longitude")
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
    from staging_songs
    where artist_id is not null
) as a
where pick = 1;

-- transform:time
INSERT INTO "time" ("start_time", "hour", "day", "week", "month", "year", "weekday")
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
    select distinct (TIMESTAMP 'epoch' + (ts) / 1000.0 * INTERVAL '1 second') as start_time
    from staging_events
    where ts is not null
) as stamps;

-- check:primary_key_unique_songplays
SELECT COUNT(*) FROM (
    SELECT "songplay_id"
    FROM "songplays"
    GROUP BY "songplay_id"
    HAVING COUNT(*) > 1
) AS duplicated_keys;

-- check:primary_key_not_null_songplays
SELECT COUNT(*) FROM "songplays"
WHERE "songplay_id" IS NULL;

-- check:foreign_key_songplays_start_time
SELECT COUNT(*)
FROM "songplays" AS child
LEFT JOIN "time" AS parent
    ON child."start_time" = parent."start_time"
WHERE child."start_time" IS NOT NULL
  AND parent."start_time" IS NULL;

-- check:foreign_key_songplays_user_id
SELECT COUNT(*)
FROM "songplays" AS child
LEFT JOIN "users" AS parent
    ON child."user_id" = parent."user_id"
WHERE child."user_id" IS NOT NULL
  AND parent."user_id" IS NULL;

-- check:foreign_key_songplays_song_id
SELECT COUNT(*)
FROM "songplays" AS child
LEFT JOIN "songs" AS parent
    ON child."song_id" = parent."song_id"
WHERE child."song_id" IS NOT NULL
  AND parent."song_id" IS NULL;

-- check:foreign_key_songplays_artist_id
SELECT COUNT(*)
FROM "songplays" AS child
LEFT JOIN "artists" AS parent
    ON child."artist_id" = parent."artist_id"
WHERE child."artist_id" IS NOT NULL
  AND parent."artist_id" IS NULL;

-- check:primary_key_unique_users
SELECT COUNT(*) FROM (
    SELECT "user_id"
    FROM "users"
    GROUP BY "user_id"
    HAVING COUNT(*) > 1
) AS duplicated_keys;

-- check:primary_key_not_null_users
SELECT COUNT(*) FROM "users"
WHERE "user_id" IS NULL;

-- check:primary_key_unique_songs
SELECT COUNT(*) FROM (
    SELECT "song_id"
    FROM "songs"
    GROUP BY "song_id"
    HAVING COUNT(*) > 1
) AS duplicated_keys;

-- check:primary_key_not_null_songs
SELECT COUNT(*) FROM "songs"
WHERE "song_id" IS NULL;

-- check:foreign_key_songs_artist_id
SELECT COUNT(*)
FROM "songs" AS child
LEFT JOIN "artists" AS parent
    ON child."artist_id" = parent."artist_id"
WHERE child."artist_id" IS NOT NULL
  AND parent."artist_id" IS NULL;

-- check:primary_key_unique_artists
SELECT COUNT(*) FROM (
    SELECT "artist_id"
    FROM "artists"
    GROUP BY "artist_id"
    HAVING COUNT(*) > 1
) AS duplicated_keys;

-- check:primary_key_not_null_artists
SELECT COUNT(*) FROM "artists"
WHERE "artist_id" IS NULL;

-- check:primary_key_unique_time
SELECT COUNT(*) FROM (
    SELECT "start_time"
    FROM "time"
    GROUP BY "start_time"
    HAVING COUNT(*) > 1
) AS duplicated_keys;

-- check:primary_key_not_null_time
SELECT COUNT(*) FROM "time"
WHERE "start_time" IS NULL;

-- check:row_count_staging_events_equals
SELECT COUNT(*) FROM "staging_events";

-- check:row_count_staging_songs_equals
SELECT COUNT(*) FROM "staging_songs";

-- check:row_count_songs_equals
SELECT COUNT(*) FROM "songs";

-- check:row_count_artists_equals
SELECT COUNT(*) FROM "artists";

-- check:row_count_users_equals
SELECT COUNT(*) FROM "users";

-- check:row_count_time_equals
SELECT COUNT(*) FROM "time";

-- check:row_count_songplays_equals
SELECT COUNT(*) FROM "songplays";

-- check:songplays_every_play
SELECT COUNT(*) FROM "songplays";

-- check:songplays_every_play
select count(*) from staging_events where page = 'NextSong';

-- check:users_every_user
SELECT COUNT(*) FROM "users";

-- check:users_every_user
select count(distinct user_id) from staging_events where user_id <> '';

-- check:time_every_timestamp
SELECT COUNT(*) FROM "time";

-- check:time_every_timestamp
select count(distinct ts) from staging_events;

-- check:not_null_songplays_user_id_level_session_id
SELECT COUNT(*) FROM "songplays"
WHERE "user_id" IS NULL OR "level" IS NULL OR "session_id" IS NULL;

-- commit
COMMIT;

