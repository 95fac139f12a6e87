{#- The swap, inside the run's transaction after every check passed: the live table goes (by the
    same drop_table.sql a user may have overridden) and the shadow takes its name. Readers see the
    old table until COMMIT, then the new one. -#}
{% include "drop_table.sql" %};
ALTER TABLE {{ shadow | ident }} RENAME TO {{ table | ident }}
