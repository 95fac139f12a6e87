-- One row per movie in movies.csv (rated or not: 59 movies there are only tagged).
--
-- Title and year. MovieLens writes "Name (1995)"; the rules, from the real file:
-- * Surrounding spaces are dropped first: five titles end in "(yyyy) " with a space.
-- * A trailing "(yyyy)" is the year and is cut off the title, with the spaces before it
--   ("Blind Side, The  (2009)" -> "Blind Side, The").
-- * TV series give a range: "(2007-)" (still running) and "(1975-1979)". These are cut
--   off too, and year is the first year (when the series started).
-- * Only that trailing group counts. Other parentheses stay in the title: alternative
--   titles "Seven (a.k.a. Se7en) (1995)" -> "Seven (a.k.a. Se7en)", and a title ending
--   in ")" that is not four digits (optionally with a range) keeps it and gets no year.
-- * No trailing year at all (four titles such as "Stranger Things"): title unchanged,
--   year NULL.
-- Inner spaces are kept as the source has them ("Un  condamné" keeps its two spaces).
--
-- genres: the source's pipe-separated list as is, except the placeholder
-- "(no genres listed)" (18 movies), which becomes NULL: it says the list is empty, it
-- names no genre (see genres.sql / movie_genres.sql).
--
-- Portable SQL: regexp_replace (POSIX-compatible pattern, no backslashes: [(] for "("),
-- trim, length, substr, nullif; no DuckDB-only function. The year is read as the four
-- characters right after the "(" that regexp_replace removed, so no regexp_extract
-- (DuckDB) / substring-from-regex (PostgreSQL) split is needed.
select
    movie_id,
    case when length(bare) < length(full_title) then trim(bare) else full_title end as title,
    case when length(bare) < length(full_title)
         then cast(substr(full_title, length(bare) + 2, 4) as integer) end as year,
    nullif(genres, '(no genres listed)') as genres
from (
    select
        movie_id,
        full_title,
        regexp_replace(full_title, '[(][0-9]{4}(-[0-9]{4}|-)?[)]$', '') as bare,
        genres
    from (
        select movie_id, trim(title) as full_title, genres
        from staging_movies
    ) as trimmed
) as m
