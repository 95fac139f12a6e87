-- The log_data source, read as the engine reads it: read_json with the JSONPaths order
-- (log_json_path.json) mapping camelCase keys to snake_case columns, pipeline.yaml's types.
select
    "artist" as artist, "auth" as auth, "firstName" as first_name, "gender" as gender,
    "itemInSession" as item_in_session, "lastName" as last_name, "length" as length,
    "level" as level, "location" as location, "method" as method, "page" as page,
    "registration" as registration, "sessionId" as session_id, "song" as song,
    "status" as status, "ts" as ts, "userAgent" as user_agent, "userId" as user_id
from read_json(
    ['{{ var("data_root") }}/log_data/**/*.json'],
    format = 'auto',
    columns = {'artist': 'VARCHAR', 'auth': 'VARCHAR', 'firstName': 'VARCHAR', 'gender': 'VARCHAR',
               'itemInSession': 'INTEGER', 'lastName': 'VARCHAR', 'length': 'DOUBLE', 'level': 'VARCHAR',
               'location': 'VARCHAR', 'method': 'VARCHAR', 'page': 'VARCHAR', 'registration': 'DOUBLE',
               'sessionId': 'INTEGER', 'song': 'VARCHAR', 'status': 'INTEGER', 'ts': 'BIGINT',
               'userAgent': 'VARCHAR', 'userId': 'VARCHAR'},
    compression = 'auto',
    union_by_name = false
)
