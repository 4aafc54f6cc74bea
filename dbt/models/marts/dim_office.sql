-- Every office: the registry's (seeds/offices.csv, with validity dates for offices that
-- merged, were renamed or were preparatory) and those that published reports the registry
-- does not know ("discovered", identified by district and comparable name).
with registry as (
    select * from {{ ref('offices') }}
),

reports as (
    select * from {{ ref('int_reports_office_resolved') }}
    where office_id is not null
),

published as (
    select
        office_id,
        list(distinct printed_office order by printed_office) filter (where printed_office is not null)
            as published_names,
        count(*) as reports,
        min(year) as first_report_year,
        max(year) as last_report_year
    from reports
    group by office_id
),

discovered as (
    select
        office_id,
        any_value(district) as district,
        any_value(district_code) as district_code,
        mode(office_name) as office_name,
        any_value(office_key) as normalised_name,
        any_value(office_type) as office_type
    from reports
    where not is_office_registered
    group by office_id
),

offices as (
    select
        office_id,
        district,
        district_code,
        office_name,
        normalised_name,
        office_type,
        official_code,
        valid_from,
        valid_to,
        true as is_registered,
        discovered as is_discovered_by_crawl,
        notes
    from registry
    union all by name
    select
        office_id,
        district,
        district_code,
        office_name,
        normalised_name,
        office_type,
        cast(null as varchar) as official_code,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        false as is_registered,
        false as is_discovered_by_crawl,
        cast(null as varchar) as notes
    from discovered
)

select
    offices.office_id,
    offices.district,
    offices.district_code,
    offices.office_name,
    offices.normalised_name,
    offices.office_type,
    offices.official_code,
    offices.valid_from,
    offices.valid_to,
    offices.is_registered,
    offices.is_discovered_by_crawl,
    coalesce(published.published_names, []::varchar[]) as published_names,
    coalesce(published.reports, 0) as reports,
    published.first_report_year,
    published.last_report_year,
    offices.notes
from offices
left join published using (office_id)
