{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ delete_superseded_versions(ref('int_reports_office_resolved')) }}",
) }}

-- Table 四 of the current version of every report, one row per proceeding with its five
-- result columns side by side: the shape the identities are checked on.
with reports as (
    {{ reports_to_build(ref('int_reports_office_resolved'), 'appeals') }}
),

cells as (
    select * from {{ ref('int_appeals_harmonised') }}
)

select
    reports.report_id,
    reports.version_key,
    cells.proceeding,
    {%- for column in appeal_part_columns() + ['total'] %}
    max(cells.value) filter (where cells.result = '{{ column }}') as {{ column }},
    {%- endfor %}
    count(*) as printed_cells
from reports
join cells
    on cells.sha256 = reports.sha256
    and cells.parser_version = reports.parser_version
group by all
