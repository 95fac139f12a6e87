{#- Lock.BLOCKING: once the lock is held, lift the bound lock_wait.sql set. -#}
