{#- The CSV dialect DuckDB's sniffer sees in one file. Expects: path, compression. -#}
SELECT Delimiter, Quote, Escape, HasHeader, SkipRows, DateFormat, TimestampFormat
FROM sniff_csv({{ path | literal }}, compression = {{ compression | literal }})
