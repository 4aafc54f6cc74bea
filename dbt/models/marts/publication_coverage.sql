-- Every office of the registry × every year it existed (from 2008): whether its report was
-- found, when it was published and whether that was on time. The deadline is the statutory
-- one for the year and the kind of office (seeds/statutory_deadlines.csv): 31 March of the
-- next year until the 2018 reports; from the 2019 reports 31 January for departments,
-- 街道 and 乡镇 and 31 March for the district government's own report.
--
-- Offices the registry lacks (discovered from their reports) are listed too, for the years
-- they published only: when they began or ended is not known, so no year is "missing" for
-- them. is_registered says which is which.
with offices as (
    select * from {{ ref('dim_office') }}
),

reports as (
    select * from {{ ref('dim_report') }}
    where is_primary
),

deadlines as (
    select * from {{ ref('statutory_deadlines') }}
),

office_years as (
    {{ registry_office_years('offices') }}
    union all by name
    select distinct offices.*, reports.year
    from offices
    join reports on reports.office_id = offices.office_id
    where not offices.is_registered
        and reports.year between {{ first_report_year() }} and {{ last_report_year() }}
),

-- the rule for an office type beats the rule for every type
with_deadline as (
    select
        office_years.*,
        make_date(office_years.year + 1, deadlines.deadline_month, deadlines.deadline_day) as deadline
    from office_years
    join deadlines
        on office_years.year >= deadlines.first_report_year
        and office_years.year <= coalesce(deadlines.last_report_year, 9999)
        and (deadlines.office_type is null or deadlines.office_type = office_years.office_type)
    qualify row_number() over (
        partition by office_years.office_id, office_years.year
        order by deadlines.office_type is null
    ) = 1
)

select
    with_deadline.office_id,
    with_deadline.district,
    with_deadline.district_code,
    with_deadline.office_name,
    with_deadline.office_type,
    with_deadline.is_registered,
    with_deadline.year,
    reports.report_id is not null as report_found,
    reports.report_id,
    reports.status as report_status,
    reports.published_date,
    with_deadline.deadline,
    cast(reports.published_date - with_deadline.deadline as integer) as days_late,
    case
        when reports.report_id is null then 'missing'
        when reports.published_date is null then 'date_unknown'
        when reports.published_date <= with_deadline.deadline then 'on_time'
        else 'late'
    end as timeliness
from with_deadline
left join reports
    on reports.office_id = with_deadline.office_id
    and reports.year = with_deadline.year
