{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ delete_superseded_versions(ref('int_reports_office_resolved')) }}",
) }}

-- Table 四 of the current version of every report: one row per proceeding and result.
with reports as (
    {{ reports_to_build(ref('int_reports_office_resolved'), 'appeals') }}
),

cells as (
    select * from {{ ref('int_appeals_harmonised') }}
)

select
    -- the report
    reports.report_id,
    reports.district,
    reports.office_name,
    reports.year,

    -- the cell
    cells.proceeding,
    cells.result,
    cells.value,
    cells.raw_text as raw,

    -- context
    reports.office_id,
    reports.district_code,

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
