-- Table 三 of the current version of every report: one row per applicant type and outcome
-- row, as printed, plus the derived `other` of a table that prints （六）1–3.
with reports as (
    {{ reports_to_build('requests') }}
),

cells as (
    select * from {{ ref('int_requests_harmonised') }}
),

request_rows as (
    select * from {{ ref('request_rows') }}
)

select
    -- the report
    reports.report_id,
    reports.district,
    reports.office_name,
    reports.year,

    -- the cell
    cells.applicant_type,
    cells.outcome,
    cells.value,
    cells.raw_text as raw,

    -- context for grouping without a join
    reports.office_id,
    reports.district_code,
    request_rows.category as outcome_category,
    cells.is_derived,

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
left join request_rows
    on request_rows.code = cells.outcome
