-- Table 二 of the current version of every report on the one item × measure list, with NULL
-- where the report's template has no such cell.
with reports as (
    {{ reports_to_build('proactive') }}
),

cells as (
    select * from {{ ref('int_proactive_harmonised') }}
)

select
    -- the report
    reports.report_id,
    reports.district,
    reports.office_name,
    reports.year,

    -- the cell
    cells.item,
    cells.measure,
    cells.value,
    cells.unit,
    cells.amount_wan_yuan,
    cells.raw_text as raw,
    cells.in_template,
    cells.is_printed,

    -- context
    reports.office_id,
    reports.district_code,
    reports.template,

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
