{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ delete_superseded_versions(ref('int_reports_office_resolved')) }}",
) }}

-- Table 三 of the current version of every report as printed, one row per printed row with
-- its seven applicant columns side by side: the shape the identities are checked on.
-- Derived rows are left out: they are sums of printed rows, not printed themselves.
with reports as (
    {{ reports_to_build(ref('int_reports_office_resolved'), 'requests') }}
),

cells as (
    select * from {{ ref('int_requests_harmonised') }}
    where not is_derived
)

select
    reports.report_id,
    reports.version_key,
    cells.outcome as row_code,
    {%- for column in applicant_part_columns() + ['total'] %}
    max(cells.value) filter (where cells.applicant_type = '{{ column }}') as {{ column }},
    {%- endfor %}
    count(*) as printed_cells
from reports
join cells
    on cells.sha256 = reports.sha256
    and cells.parser_version = reports.parser_version
group by all
