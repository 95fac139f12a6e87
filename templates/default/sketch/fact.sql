{#- The SELECT of the fact table `init` sketches (written into pipeline.yaml, commented out).
    Expects: surrogate, columns (names as they read in SQL), order_by, staging. -#}
select row_number() over (order by {{ order_by }}) as {{ surrogate }}, {{ columns | join(", ") }}
from {{ staging }}
