-- The floor: the Sparkify star built by hand on DuckDB in the fewest, cheapest statements (one per table).
-- Same inputs and rules as pipeline.yaml + transforms/*.sql, and the same tables as the engine's
-- (bench/run.py compares every table with EXCEPT ALL both ways). The events are read by DuckDB's
-- parallel newline-delimited reader with the staging types of pipeline.yaml (JSONPaths order:
-- camelCase keys -> snake_case columns); the song files, many and tiny, are read whole by the runner
-- (bench/run.py FLOOR_RUNNER: a Python read costs a fifth of read_text's per file) and their names and
-- texts bound to the statement, cut between top-level objects (a file may hold several pretty-printed ones)
-- and cast by one json_transform, the casts read_json makes. Then the five star
-- tables with the transforms' SQL. No checks, no DDL, no transaction bookkeeping: what an engine on
-- DuckDB can approach, not beat.
-- bench/run.py replaces the data root placeholder (between double braces) with a quoted literal.

-- Row order is not part of any table's content: DuckDB need not collect parallel batches in order
-- (several times faster over many small files, and memory stays bounded on large inserts).
SET preserve_insertion_order = false;

CREATE TABLE staging_events AS
SELECT "artist" AS artist, "auth" AS auth, "firstName" AS first_name, "gender" AS gender,
       "itemInSession" AS item_in_session, "lastName" AS last_name, "length" AS length,
       "level" AS level, "location" AS location, "method" AS method, "page" AS page,
       "registration" AS registration, "sessionId" AS session_id, "song" AS song,
       "status" AS status, "ts" AS ts, "userAgent" AS user_agent, "userId" AS user_id
FROM read_json(
    [{{ data_root }} || '/log_data/**/*.json'],
    format = 'newline_delimited',
    columns = {'artist': 'VARCHAR', 'auth': 'VARCHAR', 'firstName': 'VARCHAR', 'gender': 'VARCHAR',
               'itemInSession': 'INTEGER', 'lastName': 'VARCHAR', 'length': 'DOUBLE', 'level': 'VARCHAR',
               'location': 'VARCHAR', 'method': 'VARCHAR', 'page': 'VARCHAR', 'registration': 'DOUBLE',
               'sessionId': 'INTEGER', 'song': 'VARCHAR', 'status': 'INTEGER', 'ts': 'BIGINT',
               'userAgent': 'VARCHAR', 'userId': 'VARCHAR'}
);

CREATE TABLE staging_songs AS
SELECT s.num_songs, s.artist_id, s.artist_latitude, s.artist_longitude, s.artist_location, s.artist_name,
       s.song_id, s.title, s.duration, s.year
FROM (
    SELECT json_transform(doc, '{"num_songs": "INTEGER", "artist_id": "VARCHAR", "artist_latitude": "DOUBLE",
                                 "artist_longitude": "DOUBLE", "artist_location": "VARCHAR", "artist_name": "VARCHAR",
                                 "song_id": "VARCHAR", "title": "VARCHAR", "duration": "DOUBLE", "year": "INTEGER"}') AS s
    FROM (
        SELECT unnest(string_split(regexp_replace(content, '\}\s*\{', '}' || chr(30) || '{', 'g'), chr(30))) AS doc
        FROM (SELECT unnest($song_files) AS filename, unnest($song_docs) AS content)
    )
);

CREATE TABLE songplays AS
WITH catalogue AS (
    SELECT title, artist_name, duration, song_id, artist_id,
           row_number() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, artist_id) AS pick
    FROM staging_songs
    WHERE song_id IS NOT NULL
)
SELECT row_number() OVER (ORDER BY p.ts, p.session_id, p.item_in_session, p.user_id) AS songplay_id,
       epoch_ms(p.ts) AS start_time,
       CAST(nullif(p.user_id, '') AS INTEGER) AS user_id,
       p.level, c.song_id, c.artist_id, p.session_id, p.location, p.user_agent
FROM staging_events AS p
LEFT JOIN catalogue AS c
    ON c.pick = 1 AND c.title = p.song AND c.artist_name = p.artist AND c.duration = p.length
WHERE p.page = 'NextSong';

CREATE TABLE users AS
SELECT CAST(user_id AS INTEGER) AS user_id, first_name, last_name, gender, level
FROM staging_events
WHERE user_id <> ''
QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY ts DESC, session_id DESC, item_in_session DESC) = 1;

CREATE TABLE songs AS
SELECT song_id, title, artist_id, nullif(year, 0) AS year, duration
FROM staging_songs
WHERE song_id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY song_id
    ORDER BY CASE WHEN nullif(year, 0) IS NULL THEN 1 ELSE 0 END, title, artist_id, duration) = 1;

CREATE TABLE artists AS
SELECT artist_id, artist_name AS name, nullif(trim(artist_location), '') AS location,
       artist_latitude AS latitude, artist_longitude AS longitude
FROM staging_songs
WHERE artist_id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY artist_id
    ORDER BY (CASE WHEN artist_latitude IS NULL THEN 1 ELSE 0 END)
             + (CASE WHEN nullif(trim(artist_location), '') IS NULL THEN 1 ELSE 0 END),
             artist_name NULLS LAST, artist_location NULLS LAST,
             artist_latitude NULLS LAST, artist_longitude NULLS LAST) = 1;

CREATE TABLE time AS
SELECT start_time,
       CAST(extract(hour FROM start_time) AS INTEGER) AS hour,
       CAST(extract(day FROM start_time) AS INTEGER) AS day,
       CAST(extract(week FROM start_time) AS INTEGER) AS week,
       CAST(extract(month FROM start_time) AS INTEGER) AS month,
       CAST(extract(year FROM start_time) AS INTEGER) AS year,
       CAST(extract(dow FROM start_time) AS INTEGER) AS weekday
FROM (SELECT DISTINCT epoch_ms(ts) AS start_time FROM staging_events WHERE ts IS NOT NULL) AS stamps;
