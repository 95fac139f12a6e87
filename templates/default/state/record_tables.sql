INSERT INTO "_etl_tables" ("pipeline", "table_name", "definition", "built_at")
VALUES
{% for name, hash in tables %}
    ({{ pipeline | literal }}, {{ name | literal }}, {{ hash | literal }}, {{ run_timestamp() }}){{ "," if not loop.last }}
{% endfor %}
