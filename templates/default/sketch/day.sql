{#- A fact column as a date or timestamp in the sketch's SQL. Epoch integers go through the dialect's
    epoch_ms_to_timestamp macro, written as a call for the user's SQL to render (so the sketch stays
    portable across targets). Expects: column (as it reads in SQL), epoch ("ms", "s" or none). -#}
{% if epoch == "ms" %}{{ "{{" }} epoch_ms_to_timestamp('{{ column }}') {{ "}}" }}
{%- elif epoch == "s" %}{{ "{{" }} epoch_ms_to_timestamp('{{ column }} * 1000') {{ "}}" }}
{%- else %}{{ column }}{% endif %}
