{{ config(materialized='ephemeral') }}

-- The soft identity across years: 二、上年结转 of an office's report for year N equals
-- 四、结转下年度继续办理 of its report for N−1 (total column, primary reports). Often broken
-- by reorganisations and re-counting, so it is reported, never enforced.
with primary_reports as (
    select * from {{ ref('int_office_year_reports_ranked') }}
    where is_primary
),

rows as (
    select report_id, row_code, total
    from {{ ref('int_request_rows_pivoted') }}
    where row_code in ('carried_over', 'carried_forward')
),

this_year as (
    select primary_reports.office_id, primary_reports.year, rows.report_id, rows.total as carried_over
    from primary_reports
    join rows using (report_id)
    where rows.row_code = 'carried_over'
),

last_year as (
    select
        primary_reports.office_id,
        primary_reports.year,
        rows.report_id,
        rows.total as carried_forward
    from primary_reports
    join rows using (report_id)
    where rows.row_code = 'carried_forward'
)

select
    this_year.report_id,
    'requests_year_chain' as identity,
    'requests' as table_name,
    'carried_over' as row_code,
    'total' as column_code,
    '二、上年结转 (this report)' as left_side,
    '四、结转下年度继续办理 (the ' || last_year.year || ' report, ' || last_year.report_id || ')' as right_side,
    cast(this_year.carried_over as decimal(20, 4)) as left_value,
    cast(last_year.carried_forward as decimal(20, 4)) as right_value,
    this_year.carried_over = last_year.carried_forward as is_passed
from this_year
join last_year
    on last_year.office_id = this_year.office_id
    and last_year.year = this_year.year - 1
where this_year.carried_over is not null
    and last_year.carried_forward is not null
