{#- Lock.BLOCKING: before BEGIN, bound how long the lock statement may wait (wait_ms). -#}
