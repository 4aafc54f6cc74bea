{#- A sortable key for a parser version such as "1", "2" or "1.10": compared as a list of
    integers, so that "10" sorts after "9" (a plain string sort would put it before "2"). -#}
{% macro parser_version_key(column) -%}
    list_transform(string_split({{ column }}, '.'), lambda part: coalesce(try_cast(part as integer), -1))
{%- endmacro %}
