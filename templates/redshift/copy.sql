{#- One COPY per source: Redshift lists the prefix (or reads the manifest) and loads the files in
    parallel across slices. Everything after FROM comes from the source's YAML. -#}
COPY {{ table | ident }}{% if format != "parquet" %} ({% for c in columns %}{{ c | ident }}{{ ", " if not loop.last }}{% endfor %}){% endif %}

FROM {{ location | literal }}
{% if "iam_role" in credentials %}
IAM_ROLE {{ credentials.iam_role | literal }}
{% else %}
ACCESS_KEY_ID {{ credentials.access_key_id | literal }} SECRET_ACCESS_KEY {{ credentials.secret_access_key | literal }}{% if "session_token" in credentials %} SESSION_TOKEN {{ credentials.session_token | literal }}{% endif %}

{% endif %}
{% if region %}
REGION {{ region | literal }}
{% endif %}
{% if manifest %}
MANIFEST
{% endif %}
{% if format == "json" %}
FORMAT AS JSON {{ jsonpaths | literal }}
{% elif format == "csv" %}
FORMAT AS CSV DELIMITER {{ delimiter | literal }} QUOTE AS {{ quote | literal }}{% if header %} IGNOREHEADER 1{% endif %}{% if null_string is not none %} NULL AS {{ null_string | literal }}{% endif %}

{% else %}
FORMAT AS PARQUET
{% endif %}
{% if gzip %}
GZIP
{% endif %}
{% if format != "parquet" and encoding != "UTF8" %}
ENCODING {{ encoding }}
{% endif %}
{% if timeformat %}
TIMEFORMAT {{ timeformat | literal }}
{% endif %}
{% if dateformat %}
DATEFORMAT {{ dateformat | literal }}
{% endif %}
{% if max_errors is not none %}
MAXERROR {{ max_errors }}
{% elif on_error == "skip" %}
MAXERROR 100000
{% endif %}
{% if accept_invalid_chars %}
ACCEPTINVCHARS{% if accept_invalid_chars is string %} AS {{ accept_invalid_chars | literal }}{% endif %}

{% endif %}
{% if truncate_columns %}
TRUNCATECOLUMNS
{% endif %}
{% if blanks_as_null and format != "parquet" %}
BLANKSASNULL
{% endif %}
{% if empty_as_null and format != "parquet" %}
EMPTYASNULL
{% endif %}
{% if compupdate is not none %}
COMPUPDATE {{ "ON" if compupdate else "OFF" }}
{% endif %}
{% if statupdate is not none %}
STATUPDATE {{ "ON" if statupdate else "OFF" }}
{% endif %}
