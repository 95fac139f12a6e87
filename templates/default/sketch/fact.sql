{#- The SELECT of the fact table `init` sketches (written into pipeline.yaml, commented out).
    Expects: surrogate (or none when the fact has a key of its own), order_by, columns (each with
    name, source and cast: none, or a type to cast source to), staging, not_null (or none). -#}
select {% if surrogate %}row_number() over (order by {{ order_by }}) as {{ surrogate }}, {% endif %}
{%- for c in columns %}{% if c.cast %}cast({{ c.source }} as {{ c.cast }}) as {{ c.name }}{% else %}{{ c.name }}{% endif %}{{ ", " if not loop.last }}{% endfor %}

from {{ staging }}
{% if not_null %}
where {{ not_null }} is not null
{% endif %}
