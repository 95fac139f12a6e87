{#- Redshift: the default key scan's numbers (checks/key_parts.sql), each foreign key's orphans by a LEFT
    JOIN of the parent's distinct keys to the one scan of the child (hash joins; distinct, so a parent's
    duplicated key, the parent's own check, cannot repeat a child row), not the default's NOT EXISTS inside
    a COUNT(CASE ...): Redshift runs a correlated subquery only where its planner can decorrelate it, and a
    pattern it cannot returns an error (AWS, Redshift Database Developer Guide, "Correlated subqueries",
    https://docs.aws.amazon.com/redshift/latest/dg/r_correlated_subqueries.html); a plain join is sure.
    Not NOT IN: it runs once per row where the keys do not fit memory. -#}
{%- set proved = proved | default({}) %}
{%- import "checks/key_parts.sql" as parts %}
DROP TABLE IF EXISTS {{ scan | ident }};
CREATE TEMPORARY TABLE {{ scan | ident }} AS
SELECT
    {{ parts.duplicated_keys(table, columns, proved.get("duplicated_keys")) | trim }}
    {{ parts.null_keys(columns, proved.get("null_keys"), foreign_keys) | trim }}
{% for column, to_table, to_column in foreign_keys %}
{% if proved.get("orphans_" ~ column) %}
    {{ parts.proved_zero("orphans_" ~ column, proved.get("orphans_" ~ column), not loop.last) | trim }}
{% else %}
    COUNT(CASE WHEN child.{{ column | ident }} IS NOT NULL AND {{ ("parent_" ~ column) | ident }}.k IS NULL THEN 1 END) AS {{ ("orphans_" ~ column) | ident }}{{ "," if not loop.last }}
{% endif %}
{% endfor %}
{% if parts.scans(proved, foreign_keys) | trim %}
FROM {{ table | ident }} AS child
{% endif %}
{% for column, to_table, to_column in foreign_keys if not proved.get("orphans_" ~ column) %}
LEFT JOIN (SELECT DISTINCT {{ to_column | ident }} AS k FROM {{ to_table | ident }}) AS {{ ("parent_" ~ column) | ident }}
    ON child.{{ column | ident }} = {{ ("parent_" ~ column) | ident }}.k
{% endfor %};
SELECT duplicated_keys FROM {{ scan | ident }}
