{#- Publish.RENAME_BACKUP, after COMMIT: the previous table, kept until the new one was committed. -#}
DROP TABLE IF EXISTS {{ backup | ident }}
