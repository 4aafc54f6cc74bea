{#- Schemas are exactly raw, staging, intermediate and marts, not dbt's default
    "<target schema>_<custom schema>", so analysts find the tables under their layer's name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
