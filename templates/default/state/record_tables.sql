INSERT INTO "_etl_tables" ("pipeline", "table_name", "definition", "built_at")
VALUES
{% for name, hash in tables %}
    ({{ pipeline | literal }}, {{ name | literal }}, {{ hash | literal }}, CURRENT_TIMESTAMP){{ "," if not loop.last }}
{% endfor %}
