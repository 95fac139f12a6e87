-- transforms/users.sql, with ref() for the staging tables.
-- One row per user over all events that carry a user id (logged-out events carry '').
-- Names, gender and level come from the user's latest event, so a user who moved
-- from free to paid during the period is paid here. Ties on ts fall to the later item.
select user_id, first_name, last_name, gender, level
from (
    select
        cast(user_id as integer) as user_id,
        first_name,
        last_name,
        gender,
        level,
        row_number() over (
            partition by user_id
            order by ts desc, session_id desc, item_in_session desc
        ) as recency
    from {{ ref('staging_events') }}
    where user_id <> ''
) as latest
where recency = 1
