INSERT INTO "_etl_runs" ("run_id", "pipeline", "target", "pipeline_hash", "mode", "status", "started_at", "seconds", "error")
VALUES ({{ run.run_id | literal }}, {{ run.pipeline | literal }}, {{ run.target | literal }}, {{ run.pipeline_hash | literal }},
        {{ run.mode | literal }}, {{ run.status | literal }}, CAST({{ run.started_at | literal }} AS TIMESTAMP), {{ run.seconds }}, {{ run.error | literal }})
{%- if steps %};
INSERT INTO "_etl_run_steps" ("run_id", "position", "step", "table_name", "kind", "status", "rows", "seconds", "detail")
VALUES
{% for s in steps %}
    ({{ run.run_id | literal }}, {{ loop.index }}, {{ s.step | literal }}, {{ s.table | literal }}, {{ s.kind | literal }}, {{ s.status | literal }}, {{ s.rows | literal }}, {{ s.seconds }}, {{ s.detail | literal }}){{ "," if not loop.last }}
{% endfor %}
{% endif %}
