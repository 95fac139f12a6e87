-- Bridge: one row per (movie, genre) for each name in the movie's pipe-separated list.
-- "(no genres listed)" is the source's marker for an empty list, not a genre: those
-- movies get no row here (and the genres dimension has no such genre).
-- DISTINCT guards against a name listed twice for one movie (none is, in ml-latest-small).
--
-- The list is split with a recursive CTE (strpos/substr), which is portable to
-- PostgreSQL; DuckDB alone could write unnest(string_split(genres, '|')).
-- `rest` always ends with '|', so every step cuts one name off its front.
with recursive parts (movie_id, genre, rest) as (
    select movie_id, cast(null as varchar), genres || '|'
    from staging_movies
    where genres <> '(no genres listed)'
    union all
    select
        movie_id,
        substr(rest, 1, strpos(rest, '|') - 1),
        substr(rest, strpos(rest, '|') + 1)
    from parts
    where rest <> ''
)
select distinct movie_id, genre
from parts
where genre is not null and genre <> ''
