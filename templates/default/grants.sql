{#- What the YAML grants on a table (grants: {select: [role_a, group b]}), re-applied at every publish:
    a rebuilt table starts with no grants of its own. -#}
{% for privilege, grantees in grants.items() %}
{% for who in grantees %}
{% set words = who.split(" ", 1) %}
GRANT {{ privilege | upper }} ON {{ table | ident }} TO {% if words | length == 2 %}{{ words[0] | upper }} {{ words[1] | ident }}{% else %}{{ who | ident }}{% endif %};
{% endfor %}
{% endfor %}
