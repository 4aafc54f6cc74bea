{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ delete_superseded_versions(ref('int_reports_office_resolved')) }}",
) }}

-- The statistics pre-2019 reports state, one row per stated measure of the current version
-- of every report.
with reports as (
    {{ reports_to_build(ref('int_reports_office_resolved'), 'narrative') }}
),

statements as (
    select * from {{ ref('int_narrative_typed') }}
)

select
    -- the report
    reports.report_id,
    reports.district,
    reports.office_name,
    reports.year,

    -- the statement
    statements.measure,
    statements.value,
    statements.raw_text as raw,
    statements.is_approximate as approximate,

    -- context
    reports.office_id,
    reports.district_code,

    -- provenance
    statements.location,
    coalesce(reports.format like '%-ocr', false) as is_ocr,
    reports.sha256,
    reports.parser_version,
    reports.version_key
from reports
join statements
    on statements.sha256 = reports.sha256
    and statements.parser_version = reports.parser_version
