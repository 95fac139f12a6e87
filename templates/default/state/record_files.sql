{#- One multi-row INSERT per batch of files: bookkeeping stays set-based too. -#}
INSERT INTO "_etl_files" ("pipeline", "table_name", "file", "size", "version", "loaded_at")
VALUES
{% for f in files %}
    ({{ pipeline | literal }}, {{ table | literal }}, {{ f.key | literal }}, {{ f.size }}, {{ f.version | literal }}, {{ run_timestamp() }}){{ "," if not loop.last }}
{% endfor %}
