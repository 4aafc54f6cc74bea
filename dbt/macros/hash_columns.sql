{#- A key that changes when any of the expressions does. NULLs count (concat_ws would skip
    them, and then ('a', NULL) and (NULL, 'a') would share a key). -#}
{% macro hash_columns(expressions) -%}
    md5(list_value({% for e in expressions %}cast({{ e }} as varchar){% if not loop.last %}, {% endif %}{% endfor %})::varchar)
{%- endmacro %}
