{#- How many key values occur more than once (NULL keys are not_null's business). -#}
SELECT COUNT(*) FROM (
    SELECT {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

    FROM {{ table | ident }}
    GROUP BY {% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}

    HAVING COUNT(*) > 1
) AS duplicated_keys
