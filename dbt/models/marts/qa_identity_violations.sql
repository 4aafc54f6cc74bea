-- Every identity a report's tables fail, as published, with both sides: the warehouse keeps
-- what the source printed and lists here where the source contradicts itself. strict: an
-- identity of the template within one report; soft: the year-to-year chain of carried-over
-- requests, which reorganisations and re-counting often break.
with evaluations as (
    select * exclude (version_key), 'strict' as severity
    from {{ ref('int_identities_checked') }}
    where not is_passed
    union all by name
    select *, 'soft' as severity
    from {{ ref('int_year_chain_checked') }}
    where not is_passed
),

reports as (
    select * from {{ ref('int_reports_office_resolved') }}
)

select
    {{ hash_columns([
        'evaluations.report_id', 'evaluations.identity', 'evaluations.row_code', 'evaluations.column_code'
    ]) }} as violation_id,
    evaluations.report_id,
    reports.district,
    reports.office_name,
    reports.office_id,
    reports.year,
    reports.template,
    evaluations.identity,
    evaluations.severity,
    evaluations.table_name,
    evaluations.row_code,
    evaluations.column_code,
    evaluations.left_side,
    evaluations.right_side,
    evaluations.left_value,
    evaluations.right_value,
    evaluations.left_value - evaluations.right_value as difference
from evaluations
join reports using (report_id)
