{#- The target's schema: first and only on the search path of every connection the engine opens, so every
    table it creates, reads, locks and renames (the star, staging, shadows, bookkeeping) lands there, user SQL
    included, without qualifying a single name. Set outside the run's transaction: a rollback keeps it. -#}
SET search_path TO {{ schema | ident }}
