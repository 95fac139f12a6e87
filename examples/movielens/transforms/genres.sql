-- One row per genre name that at least one movie lists, with how many movies list it.
-- Taken from the movie_genres bridge, so "(no genres listed)" is not a genre here
-- (it marks an empty list) and the names are exactly those the bridge points to.
-- The names come from the data, not from README.txt's list: the file says "Children"
-- (not "Children's") and adds "IMAX". Portable SQL.
select genre, cast(count(*) as integer) as movie_count
from movie_genres
group by genre
