-- Every identity a report's tables fail, as published, with both sides: the warehouse keeps
-- what the source printed and lists here where the source contradicts itself. strict: an
-- identity of the template within one report, as scrapers/parse/checks.py evaluated it on the
-- current parse; soft: the year-to-year chain of carried-over requests, which reorganisations
-- and re-counting often break (across reports, so only the warehouse can check it).
with reports as (
    select * from {{ ref('int_reports_office_resolved') }}
),

strict as (
    select
        reports.report_id,
        checks.identity,
        checks.table_name,
        checks.row_code,
        checks.column_code,
        checks.left_side,
        checks.right_side,
        checks.left_value,
        checks.right_value
    from {{ ref('stg_raw__checks') }} as checks
    join reports
        on reports.sha256 = checks.sha256
        and reports.parser_version = checks.parser_version
    where not checks.is_passed
),

-- 二、上年结转 of an office's primary report for year N against 四、结转下年度继续办理 of its
-- primary report for N−1 (total column)
chain_rows as (
    select primary_reports.office_id, primary_reports.year, requests.report_id, requests.outcome, requests.value
    from {{ ref('fct_requests') }} as requests
    join {{ ref('dim_report') }} as primary_reports
        on primary_reports.report_id = requests.report_id
        and primary_reports.is_primary
    where requests.applicant_type = 'total'
        and not requests.is_derived
        and requests.outcome in ('carried_over', 'carried_forward')
        and requests.value is not null
),

soft as (
    select
        this_year.report_id,
        'requests_year_chain' as identity,
        'requests' as table_name,
        'carried_over' as row_code,
        'total' as column_code,
        '二、上年结转 (this report)' as left_side,
        '四、结转下年度继续办理 (the ' || last_year.year || ' report, ' || last_year.report_id || ')' as right_side,
        cast(this_year.value as decimal(20, 4)) as left_value,
        cast(last_year.value as decimal(20, 4)) as right_value
    from chain_rows as this_year
    join chain_rows as last_year
        on last_year.office_id = this_year.office_id
        and last_year.year = this_year.year - 1
        and last_year.outcome = 'carried_forward'
    where this_year.outcome = 'carried_over'
        and this_year.value <> last_year.value
),

violations as (
    select *, 'strict' as severity from strict
    union all by name
    select *, 'soft' as severity from soft
)

select
    {{ hash_columns([
        'violations.report_id', 'violations.identity', 'violations.row_code', 'violations.column_code'
    ]) }} as violation_id,
    violations.report_id,
    reports.district,
    reports.office_name,
    reports.office_id,
    reports.year,
    reports.template,
    violations.identity,
    violations.severity,
    violations.table_name,
    violations.row_code,
    violations.column_code,
    violations.left_side,
    violations.right_side,
    violations.left_value,
    violations.right_value,
    violations.left_value - violations.right_value as difference,
    -- where to look: the left side's own cell where it is one (a 总计), and the document
    left_cell.location as left_location,
    left_cell.raw_text as left_raw,
    reports.source_url
from violations
join reports using (report_id)
left join {{ ref('stg_raw__cells') }} as left_cell
    on left_cell.sha256 = reports.sha256
    and left_cell.parser_version = reports.parser_version
    and left_cell.table_name = violations.table_name
    and left_cell.row_code = violations.row_code
    and left_cell.column_code = violations.column_code
