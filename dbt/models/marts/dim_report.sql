-- One row per report, as of its current version: who published it, for which year, in which
-- template, how well it was read, and where it came from.
with reports as (
    select * from {{ ref('int_reports_office_resolved') }}
),

office_years as (
    select * from {{ ref('int_office_year_reports_ranked') }}
),

identities as (
    select
        report_id,
        count(*) as identities_checked,
        count(*) filter (where not is_passed) as identity_violations
    from {{ ref('int_identities_checked') }}
    group by report_id
),

parser_checks as (
    select sha256, parser_version, count(*) filter (where not is_passed) as parser_checks_failed
    from {{ ref('stg_raw__checks') }}
    group by all
)

select
    -- the contract
    reports.report_id,
    reports.district,
    reports.district_code,
    reports.office_name,
    reports.office_id,
    reports.office_type,
    reports.year,
    reports.template,
    reports.status,
    reports.source_url,
    reports.fetched_at,
    reports.sha256,
    reports.problems,

    -- the office as printed and how it was matched
    reports.printed_office,
    reports.is_office_registered,
    coalesce(office_years.is_primary, false) as is_primary,
    office_years.reports_in_office_year,

    -- the document
    reports.report_url,
    reports.title,
    reports.format,
    reports.media_type,
    reports.origin,
    reports.portal,
    reports.published_date,
    reports.first_fetched_at,
    reports.version_number,
    reports.version_count,
    reports.parser_version,
    reports.parsed_at,

    -- checks
    coalesce(identities.identities_checked, 0) as identities_checked,
    coalesce(identities.identity_violations, 0) as identity_violations,
    coalesce(parser_checks.parser_checks_failed, 0) as parser_checks_failed
from reports
left join office_years using (report_id)
left join identities using (report_id)
left join parser_checks
    on parser_checks.sha256 = reports.sha256
    and parser_checks.parser_version = reports.parser_version
