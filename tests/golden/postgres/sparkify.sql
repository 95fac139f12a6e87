-- setup
BEGIN TRANSACTION;

-- setup
CREATE TABLE IF NOT EXISTS "_etl_runs" (
    "run_id" VARCHAR NOT NULL,
    "pipeline" VARCHAR NOT NULL,
    "target" VARCHAR,
    "pipeline_hash" VARCHAR,
    "mode" VARCHAR,
    "status" VARCHAR,
    "started_at" TIMESTAMP,
    "seconds" DOUBLE PRECISION,
    "error" VARCHAR
);

-- setup
CREATE TABLE IF NOT EXISTS "_etl_run_steps" (
    "run_id" VARCHAR NOT NULL,
    "position" INTEGER,
    "step" VARCHAR,
    "table_name" VARCHAR,
    "kind" VARCHAR,
    "status" VARCHAR,
    "rows" BIGINT,
    "seconds" DOUBLE PRECISION,
    "detail" VARCHAR
);

-- setup
CREATE TABLE IF NOT EXISTS "_etl_files" (
    "pipeline" VARCHAR NOT NULL,
    "table_name" VARCHAR NOT NULL,
    "file" VARCHAR NOT NULL,
    "size" BIGINT,
    "version" VARCHAR,
    "loaded_at" TIMESTAMP
);

-- setup
CREATE TABLE IF NOT EXISTS "_etl_tables" (
    "pipeline" VARCHAR NOT NULL,
    "table_name" VARCHAR NOT NULL,
    "definition" VARCHAR NOT NULL,
    "built_at" TIMESTAMP
);

-- setup
COMMIT;

-- begin
BEGIN TRANSACTION;

-- lock
SELECT pg_try_advisory_xact_lock(5020531178755043676);

-- state
DELETE FROM "_etl_files" WHERE pipeline = 'sparkify'
  AND table_name IN ('artists', 'songplays', 'songs', 'staging_events', 'staging_songs', 'time', 'users');

-- state
DELETE FROM "_etl_tables" WHERE pipeline = 'sparkify'
  AND table_name IN ('artists', 'songplays', 'songs', 'staging_events', 'staging_songs', 'time', 'users');

-- create:staging_events
DROP TABLE IF EXISTS "staging_events__etl_next";

-- create:staging_events
CREATE UNLOGGED TABLE "staging_events__etl_next" (
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
DROP TABLE IF EXISTS "staging_songs__etl_next";

-- create:staging_songs
CREATE UNLOGGED TABLE "staging_songs__etl_next" (
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
DROP TABLE IF EXISTS "songplays__etl_next";

-- create:songplays
CREATE TABLE "songplays__etl_next" (
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
DROP TABLE IF EXISTS "users__etl_next";

-- create:users
CREATE TABLE "users__etl_next" (
    "user_id" INTEGER NOT NULL,
    "first_name" VARCHAR,
    "last_name" VARCHAR,
    "gender" VARCHAR,
    "level" VARCHAR
);

-- create:songs
DROP TABLE IF EXISTS "songs__etl_next";

-- create:songs
CREATE TABLE "songs__etl_next" (
    "song_id" VARCHAR NOT NULL,
    "title" VARCHAR,
    "artist_id" VARCHAR,
    "year" INTEGER,
    "duration" DOUBLE PRECISION
);

-- create:artists
DROP TABLE IF EXISTS "artists__etl_next";

-- create:artists
CREATE TABLE "artists__etl_next" (
    "artist_id" VARCHAR NOT NULL,
    "name" VARCHAR,
    "location" VARCHAR,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION
);

-- create:time
DROP TABLE IF EXISTS "time__etl_next";

-- create:time
CREATE TABLE "time__etl_next" (
    "start_time" TIMESTAMP NOT NULL,
    "hour" INTEGER,
    "day" INTEGER,
    "week" INTEGER,
    "month" INTEGER,
    "year" INTEGER,
    "weekday" INTEGER
);

-- load:staging_events
CREATE TEMPORARY TABLE "_etl_load_staging_events__etl_next" (doc JSON);

-- load:staging_events
COPY "_etl_load_staging_events__etl_next" (doc) FROM STDIN;

-- load:staging_events
INSERT INTO "staging_events__etl_next" ("artist", "auth", "first_name", "gender", "item_in_session", "last_name", "length", "level", "location", "method", "page", "registration", "session_id", "song", "status", "ts", "user_agent", "user_id")
SELECT
    r."artist" AS "artist",
    r."auth" AS "auth",
    r."firstName" AS "first_name",
    r."gender" AS "gender",
    r."itemInSession" AS "item_in_session",
    r."lastName" AS "last_name",
    r."length" AS "length",
    r."level" AS "level",
    r."location" AS "location",
    r."method" AS "method",
    r."page" AS "page",
    r."registration" AS "registration",
    r."sessionId" AS "session_id",
    r."song" AS "song",
    r."status" AS "status",
    r."ts" AS "ts",
    r."userAgent" AS "user_agent",
    r."userId" AS "user_id"
FROM "_etl_load_staging_events__etl_next",
    json_to_record("_etl_load_staging_events__etl_next".doc) AS r("artist" VARCHAR, "auth" VARCHAR, "firstName" VARCHAR, "gender" VARCHAR, "itemInSession" INTEGER, "lastName" VARCHAR, "length" DOUBLE PRECISION, "level" VARCHAR, "location" VARCHAR, "method" VARCHAR, "page" VARCHAR, "registration" DOUBLE PRECISION, "sessionId" INTEGER, "song" VARCHAR, "status" INTEGER, "ts" BIGINT, "userAgent" VARCHAR, "userId" VARCHAR);

-- load:staging_events
DROP TABLE "_etl_load_staging_events__etl_next";

-- load:staging_events
ANALYZE "staging_events__etl_next";

-- load:staging_songs
CREATE TEMPORARY TABLE "_etl_load_staging_songs__etl_next" (doc JSON);

-- load:staging_songs
COPY "_etl_load_staging_songs__etl_next" (doc) FROM STDIN;

-- load:staging_songs
INSERT INTO "staging_songs__etl_next" ("num_songs", "artist_id", "artist_latitude", "artist_longitude", "artist_location", "artist_name", "song_id", "title", "duration", "year")
SELECT
    r."num_songs" AS "num_songs",
    r."artist_id" AS "artist_id",
    r."artist_latitude" AS "artist_latitude",
    r."artist_longitude" AS "artist_longitude",
    r."artist_location" AS "artist_location",
    r."artist_name" AS "artist_name",
    r."song_id" AS "song_id",
    r."title" AS "title",
    r."duration" AS "duration",
    r."year" AS "year"
FROM "_etl_load_staging_songs__etl_next",
    json_to_record("_etl_load_staging_songs__etl_next".doc) AS r("num_songs" INTEGER, "artist_id" VARCHAR, "artist_latitude" DOUBLE PRECISION, "artist_longitude" DOUBLE PRECISION, "artist_location" VARCHAR, "artist_name" VARCHAR, "song_id" VARCHAR, "title" VARCHAR, "duration" DOUBLE PRECISION, "year" INTEGER);

-- load:staging_songs
DROP TABLE "_etl_load_staging_songs__etl_next";

-- load:staging_songs
ANALYZE "staging_songs__etl_next";

-- transform:songplays
INSERT INTO "songplays__etl_next" ("songplay_id", "start_time", "user_id", "level", "song_id", "artist_id", "session_id", "location", "user_agent")
/* One row per NextSong event: every play, matched to the catalogue or not. */
/* song_id and artist_id come from an exact match on title, artist name and duration; */
/* where several songs match, the smallest song_id wins, so a match never duplicates a play. */
/* songplay_id numbers plays in (start time, session, item) order: the same data gives the same ids. */
WITH plays AS (
  SELECT
    *
  FROM "staging_events__etl_next" AS staging_events
  WHERE
    page = 'NextSong'
), catalogue AS (
  SELECT
    title,
    artist_name,
    duration,
    song_id,
    artist_id,
    ROW_NUMBER() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, artist_id) AS pick
  FROM "staging_songs__etl_next" AS staging_songs
  WHERE
    song_id IS NOT NULL
)
SELECT
  ROW_NUMBER() OVER (ORDER BY p.ts, p.session_id, p.item_in_session, p.user_id) AS songplay_id,
  (
    CAST('epoch' AS TIMESTAMP) + (
      p.ts
    ) / 1000.0 * INTERVAL '1 SECOND'
  ) AS start_time,
  CAST(NULLIF(p.user_id, '') AS INT) AS user_id,
  p.level AS level,
  c.song_id AS song_id,
  c.artist_id AS artist_id,
  p.session_id AS session_id,
  p.location AS location,
  p.user_agent AS user_agent
FROM plays AS p
LEFT JOIN catalogue AS c
  ON c.pick = 1
  AND c.title = p.song
  AND c.artist_name = p.artist
  AND c.duration = p.length;

-- transform:users
INSERT INTO "users__etl_next" ("user_id", "first_name", "last_name", "gender", "level")
/* One row per user over all events that carry a user id (logged-out events carry ''). */
/* Names, gender and level come from the user's latest event, so a user who moved */
/* from free to paid during the period is paid here. Ties on ts fall to the later item. */
SELECT
  user_id,
  first_name,
  last_name,
  gender,
  level
FROM (
  SELECT
    CAST(user_id AS INT) AS user_id,
    first_name,
    last_name,
    gender,
    level,
    ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC, session_id DESC, item_in_session DESC) AS recency
  FROM "staging_events__etl_next" AS staging_events
  WHERE
    user_id <> ''
) AS latest
WHERE
  recency = 1;

-- transform:songs
INSERT INTO "songs__etl_next" ("song_id", "title", "artist_id", "year", "duration")
/* One row per song_id, also where the source repeats a song (one real file holds a */
/* second copy of another file's song). The rule that picks the row: a known year first, */
/* then the smallest title, artist and duration, so the pick never depends on file order. */
/* The Million Song Dataset writes an unknown year as 0; here it is NULL. */
SELECT
  song_id,
  title,
  artist_id,
  year,
  duration
FROM (
  SELECT
    song_id,
    title,
    artist_id,
    NULLIF(year, 0) AS year,
    duration,
    ROW_NUMBER() OVER (
      PARTITION BY song_id
      ORDER BY CASE WHEN NULLIF(year, 0) IS NULL THEN 1 ELSE 0 END, title, artist_id, duration
    ) AS pick
  FROM "staging_songs__etl_next" AS staging_songs
  WHERE
    song_id IS NOT NULL
) AS s
WHERE
  pick = 1;

-- transform:artists
INSERT INTO "artists__etl_next" ("artist_id", "name", "location", "latitude", "longitude")
/* One row per artist_id. Song files describe some artists differently (a location in */
/* one file and none in another, coordinates or none): keep the most complete */
/* description, then the smallest values, so the pick never depends on file order. */
SELECT
  artist_id,
  name,
  location,
  latitude,
  longitude
FROM (
  SELECT
    artist_id,
    artist_name AS name,
    NULLIF(TRIM(artist_location), '') AS location,
    artist_latitude AS latitude,
    artist_longitude AS longitude,
    ROW_NUMBER() OVER (
      PARTITION BY artist_id
      ORDER BY (
        CASE WHEN artist_latitude IS NULL THEN 1 ELSE 0 END
      ) + (
        CASE WHEN NULLIF(TRIM(artist_location), '') IS NULL THEN 1 ELSE 0 END
      ), artist_name, artist_location, artist_latitude, artist_longitude
    ) AS pick
  FROM "staging_songs__etl_next" AS staging_songs
  WHERE
    artist_id IS NOT NULL
) AS a
WHERE
  pick = 1;

-- transform:time
INSERT INTO "time__etl_next" ("start_time", "hour", "day", "week", "month", "year", "weekday")
/* One row per distinct event timestamp over all events (not only plays). */
/* weekday: 0 = Sunday ... 6 = Saturday; week: ISO week number. */
SELECT
  start_time,
  CAST(EXTRACT(HOUR FROM start_time) AS INT) AS hour,
  CAST(EXTRACT(DAY FROM start_time) AS INT) AS day,
  CAST(EXTRACT(WEEK FROM start_time) AS INT) AS week,
  CAST(EXTRACT(MONTH FROM start_time) AS INT) AS month,
  CAST(EXTRACT(YEAR FROM start_time) AS INT) AS year,
  CAST(EXTRACT(DOW FROM start_time) AS INT) AS weekday
FROM (
  SELECT DISTINCT
    (
      CAST('epoch' AS TIMESTAMP) + (
        ts
      ) / 1000.0 * INTERVAL '1 SECOND'
    ) AS start_time
  FROM "staging_events__etl_next" AS staging_events
  WHERE
    ts IS NOT NULL
) AS stamps;

-- check:primary_key_unique_songplays
DROP TABLE IF EXISTS "_etl_keys_songplays__etl_next";

-- check:primary_key_unique_songplays
CREATE TEMPORARY TABLE "_etl_keys_songplays__etl_next" AS
SELECT
    CAST(0 AS BIGINT) AS duplicated_keys, -- proved by its SELECT: ROW_NUMBER() without PARTITION BY numbers every row
    CAST(0 AS BIGINT) AS null_keys, -- proved by its SELECT: ROW_NUMBER() is never NULL
    CAST(0 AS BIGINT) AS "orphans_start_time", -- proved by its SELECT: the column and the parent's key are one expression of one table's rows, the parent keeping every value
    (SELECT COUNT(*) FROM "songplays__etl_next" AS child
     WHERE child."user_id" IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM "users__etl_next" AS parent WHERE parent."user_id" = child."user_id")
    ) AS "orphans_user_id",
    CAST(0 AS BIGINT) AS "orphans_song_id", -- proved by its SELECT: the column and the parent's key are one expression of one table's rows, the parent keeping every value
    CAST(0 AS BIGINT) AS "orphans_artist_id" -- proved by its SELECT: the column and the parent's key are one expression of one table's rows, the parent keeping every value;

-- check:primary_key_unique_songplays
SELECT duplicated_keys FROM "_etl_keys_songplays__etl_next";

-- check:primary_key_not_null_songplays
SELECT "null_keys" FROM "_etl_keys_songplays__etl_next";

-- check:foreign_key_songplays_start_time
SELECT "orphans_start_time" FROM "_etl_keys_songplays__etl_next";

-- check:foreign_key_songplays_user_id
SELECT "orphans_user_id" FROM "_etl_keys_songplays__etl_next";

-- check:foreign_key_songplays_song_id
SELECT "orphans_song_id" FROM "_etl_keys_songplays__etl_next";

-- check:foreign_key_songplays_artist_id
SELECT "orphans_artist_id" FROM "_etl_keys_songplays__etl_next";

-- check:primary_key_unique_users
DROP TABLE IF EXISTS "_etl_keys_users__etl_next";

-- check:primary_key_unique_users
ANALYZE "users__etl_next";

-- check:primary_key_unique_users
CREATE TEMPORARY TABLE "_etl_keys_users__etl_next" AS
SELECT
    COUNT(CASE WHEN keys."_etl_rows" > 1 THEN 1 END) AS duplicated_keys,
    CAST(COALESCE(SUM(CASE WHEN keys."user_id" IS NULL THEN keys."_etl_rows" END), 0) AS BIGINT) AS null_keys
FROM (
    SELECT "user_id", COUNT(*) AS "_etl_rows"
    FROM "users__etl_next"
    GROUP BY "user_id"
) AS keys;

-- check:primary_key_unique_users
SELECT duplicated_keys FROM "_etl_keys_users__etl_next";

-- check:primary_key_not_null_users
SELECT "null_keys" FROM "_etl_keys_users__etl_next";

-- check:primary_key_unique_songs
DROP TABLE IF EXISTS "_etl_keys_songs__etl_next";

-- check:primary_key_unique_songs
CREATE TEMPORARY TABLE "_etl_keys_songs__etl_next" AS
SELECT
    CAST(0 AS BIGINT) AS duplicated_keys, -- proved by its SELECT: one row per key picked (ROW_NUMBER() OVER (PARTITION BY the key) = 1)
    CAST(0 AS BIGINT) AS null_keys, -- proved by its SELECT: filtered IS NOT NULL in the table it reads
    CAST(0 AS BIGINT) AS "orphans_artist_id" -- proved by its SELECT: the column and the parent's key are one expression of one table's rows, the parent keeping every value;

-- check:primary_key_unique_songs
SELECT duplicated_keys FROM "_etl_keys_songs__etl_next";

-- check:primary_key_not_null_songs
SELECT "null_keys" FROM "_etl_keys_songs__etl_next";

-- check:foreign_key_songs_artist_id
SELECT "orphans_artist_id" FROM "_etl_keys_songs__etl_next";

-- check:primary_key_unique_artists
DROP TABLE IF EXISTS "_etl_keys_artists__etl_next";

-- check:primary_key_unique_artists
CREATE TEMPORARY TABLE "_etl_keys_artists__etl_next" AS
SELECT
    CAST(0 AS BIGINT) AS duplicated_keys, -- proved by its SELECT: one row per key picked (ROW_NUMBER() OVER (PARTITION BY the key) = 1)
    CAST(0 AS BIGINT) AS null_keys -- proved by its SELECT: filtered IS NOT NULL in the table it reads;

-- check:primary_key_unique_artists
SELECT duplicated_keys FROM "_etl_keys_artists__etl_next";

-- check:primary_key_not_null_artists
SELECT "null_keys" FROM "_etl_keys_artists__etl_next";

-- check:primary_key_unique_time
DROP TABLE IF EXISTS "_etl_keys_time__etl_next";

-- check:primary_key_unique_time
CREATE TEMPORARY TABLE "_etl_keys_time__etl_next" AS
SELECT
    CAST(0 AS BIGINT) AS duplicated_keys, -- proved by its SELECT: SELECT DISTINCT of the key's columns in the table it reads
    (SELECT COUNT(*) FROM "time__etl_next" WHERE "start_time" IS NULL) AS null_keys;

-- check:primary_key_unique_time
SELECT duplicated_keys FROM "_etl_keys_time__etl_next";

-- check:primary_key_not_null_time
SELECT "null_keys" FROM "_etl_keys_time__etl_next";

-- check:row_count_staging_events_equals
SELECT COUNT(*) FROM "staging_events__etl_next";

-- check:row_count_staging_songs_equals
SELECT COUNT(*) FROM "staging_songs__etl_next";

-- check:row_count_songs_equals
SELECT COUNT(*) FROM "songs__etl_next";

-- check:row_count_artists_equals
SELECT COUNT(*) FROM "artists__etl_next";

-- check:row_count_users_equals
SELECT COUNT(*) FROM "users__etl_next";

-- check:row_count_time_equals
SELECT COUNT(*) FROM "time__etl_next";

-- check:row_count_songplays_equals
SELECT COUNT(*) FROM "songplays__etl_next";

-- check:songplays_every_play
SELECT COUNT(*) FROM "songplays__etl_next";

-- check:songplays_every_play
SELECT
  COUNT(*)
FROM "staging_events__etl_next" AS staging_events
WHERE
  page = 'NextSong';

-- check:users_every_user
SELECT COUNT(*) FROM "users__etl_next";

-- check:users_every_user
SELECT
  COUNT(DISTINCT user_id)
FROM "staging_events__etl_next" AS staging_events
WHERE
  user_id <> '';

-- check:time_every_timestamp
SELECT COUNT(*) FROM "time__etl_next";

-- check:time_every_timestamp
SELECT
  COUNT(DISTINCT ts)
FROM "staging_events__etl_next" AS staging_events;

-- check:not_null_songplays_user_id_level_session_id
SELECT COUNT(*) FROM "songplays__etl_next"
WHERE "user_id" IS NULL OR "level" IS NULL OR "session_id" IS NULL;

-- publish
DROP TABLE IF EXISTS "staging_events__etl_old";

-- publish
ALTER TABLE "staging_events" RENAME TO "staging_events__etl_old";

-- publish
ALTER TABLE "staging_events__etl_next" RENAME TO "staging_events";

-- publish
DROP TABLE IF EXISTS "staging_songs__etl_old";

-- publish
ALTER TABLE "staging_songs" RENAME TO "staging_songs__etl_old";

-- publish
ALTER TABLE "staging_songs__etl_next" RENAME TO "staging_songs";

-- publish
DROP TABLE IF EXISTS "songplays__etl_old";

-- publish
ALTER TABLE "songplays" RENAME TO "songplays__etl_old";

-- publish
ALTER TABLE "songplays__etl_next" RENAME TO "songplays";

-- publish
DROP TABLE IF EXISTS "users__etl_old";

-- publish
ALTER TABLE "users" RENAME TO "users__etl_old";

-- publish
ALTER TABLE "users__etl_next" RENAME TO "users";

-- publish
DROP TABLE IF EXISTS "songs__etl_old";

-- publish
ALTER TABLE "songs" RENAME TO "songs__etl_old";

-- publish
ALTER TABLE "songs__etl_next" RENAME TO "songs";

-- publish
DROP TABLE IF EXISTS "artists__etl_old";

-- publish
ALTER TABLE "artists" RENAME TO "artists__etl_old";

-- publish
ALTER TABLE "artists__etl_next" RENAME TO "artists";

-- publish
DROP TABLE IF EXISTS "time__etl_old";

-- publish
ALTER TABLE "time" RENAME TO "time__etl_old";

-- publish
ALTER TABLE "time__etl_next" RENAME TO "time";

-- bookkeeping
INSERT INTO "_etl_tables" ("pipeline", "table_name", "definition", "built_at")
VALUES
    ('sparkify', 'staging_events', '1e394907bb0ca6b3', CURRENT_TIMESTAMP),
    ('sparkify', 'staging_songs', '98e573d9ddfce37c', CURRENT_TIMESTAMP),
    ('sparkify', 'songplays', 'bd4711e1fa0e455e', CURRENT_TIMESTAMP),
    ('sparkify', 'users', 'b8528f125c6bf55f', CURRENT_TIMESTAMP),
    ('sparkify', 'songs', '58b6fd9ce4318ac4', CURRENT_TIMESTAMP),
    ('sparkify', 'artists', 'e9531466ed4df26b', CURRENT_TIMESTAMP),
    ('sparkify', 'time', 'd6ff8381309a8561', CURRENT_TIMESTAMP);

-- commit
COMMIT;

-- cleanup
DROP TABLE IF EXISTS "staging_events__etl_old";

-- cleanup
DROP TABLE IF EXISTS "staging_songs__etl_old";

-- cleanup
DROP TABLE IF EXISTS "songplays__etl_old";

-- cleanup
DROP TABLE IF EXISTS "users__etl_old";

-- cleanup
DROP TABLE IF EXISTS "songs__etl_old";

-- cleanup
DROP TABLE IF EXISTS "artists__etl_old";

-- cleanup
DROP TABLE IF EXISTS "time__etl_old";

