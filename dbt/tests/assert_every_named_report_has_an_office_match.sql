-- Every report that names an office has an answer in raw.office_matches. A row here means the
-- loader did not call scrapers.offices.match_offices after loading: run it, then dbt again.
select report_id, district_code, printed_office, year
from {{ ref('int_reports_office_resolved') }}
where printed_office is not null and office_id is null
