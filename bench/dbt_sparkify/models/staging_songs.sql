-- The song_data source, read as the engine reads it: keys matched by name, pipeline.yaml's types.
select num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name,
       song_id, title, duration, year
from read_json(
    ['{{ var("data_root") }}/song_data/**/*.json'],
    format = 'auto',
    columns = {'num_songs': 'INTEGER', 'artist_id': 'VARCHAR', 'artist_latitude': 'DOUBLE',
               'artist_longitude': 'DOUBLE', 'artist_location': 'VARCHAR', 'artist_name': 'VARCHAR',
               'song_id': 'VARCHAR', 'title': 'VARCHAR', 'duration': 'DOUBLE', 'year': 'INTEGER'},
    compression = 'auto',
    union_by_name = false
)
