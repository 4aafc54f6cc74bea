{#- The shape every fact shares: the cells of `table_name` for the current version of every
    report this run builds (reports_to_build), each with the report's who and when first,
    then the cell's own columns, then context, then provenance. The cells are the caller's
    query, one row per cell with sha256, parser_version and location. -#}
{% macro current_version_facts(table_name, cell_columns, context_columns=[]) -%}
with reports as (
    {{ reports_to_build(table_name) }}
),

cells as (
    {{ caller() }}
)

select
    -- the report
    reports.report_id,
    reports.district,
    reports.office_name,
    reports.year,

    -- the cell
    {%- for column in cell_columns %}
    {{ column }},
    {%- endfor %}

    -- context
    reports.office_id,
    reports.district_code,
    {%- for column in context_columns %}
    {{ column }},
    {%- endfor %}

    -- provenance
    cells.location,
    coalesce(reports.format like '%-ocr', false) as is_ocr,
    reports.sha256,
    reports.parser_version,
    reports.version_key
from reports
join cells
    on cells.sha256 = reports.sha256
    and cells.parser_version = reports.parser_version
{%- endmacro %}
