{#- The column names and DuckDB types the sniffer guesses for a sample (see sniff/read.sql). -#}
DESCRIBE SELECT * FROM {% include "sniff/read.sql" %}
