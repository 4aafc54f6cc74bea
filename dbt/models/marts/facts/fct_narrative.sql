-- The statistics pre-2019 reports state in sentences (and their 统计表 rows, which the parser
-- maps onto the same measures), one row per stated measure of the current version of every
-- report.
with reports as (
    {{ reports_to_build('narrative') }}
),

statements as (
    select
        sha256,
        parser_version,
        row_code as measure,
        value,
        is_approximate,
        raw_text,
        location
    from {{ ref('stg_raw__cells') }}
    where table_name = 'narrative'
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
