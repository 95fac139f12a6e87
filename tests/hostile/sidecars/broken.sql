-- A SELECT that does not parse: the error names this file and line.
select distinct kind as kind
from staging_things
where kind in (select kind from
