-- Table 四 of the current version of every report: one row per proceeding and result. The
-- 2019 and 2021 templates print the same table, so the codes need no mapping.
with reports as (
    {{ reports_to_build('appeals') }}
),

cells as (
    select
        sha256,
        parser_version,
        row_code as proceeding,
        column_code as result,
        cast(value as bigint) as value,
        raw_text,
        location
    from {{ ref('stg_raw__cells') }}
    where table_name = 'appeals'
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
