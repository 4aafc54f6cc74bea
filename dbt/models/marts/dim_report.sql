{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='report_id',
    on_schema_change='fail',
    post_hook="delete from {{ this }} where report_id not in (select report_id from {{ ref('int_reports_office_resolved') }})",
) }}

-- One row per report, as of its current version: who published it, for which year, in which
-- template, how well it was read, and where it came from.
--
-- Incremental: a run rebuilds the reports whose version_key changed and every other report of
-- the office-years they belong to (now or before), because which report is primary for an
-- office-year depends on all of them.
with all_reports as (
    select * from {{ ref('int_reports_office_resolved') }}
),

{% if is_incremental() %}
changed as (
    select all_reports.report_id, all_reports.office_id, all_reports.year
    from all_reports
    anti join {{ this }} as built
        on built.report_id = all_reports.report_id
        and built.version_key = all_reports.version_key
),

affected_office_years as (
    select office_id, year from changed
    union
    select built.office_id, built.year
    from {{ this }} as built
    semi join changed using (report_id)
),

reports as (
    select * from all_reports
    where report_id in (select report_id from changed)
        or exists (
            select 1 from affected_office_years as affected
            where affected.office_id = all_reports.office_id and affected.year = all_reports.year
        )
),
{% else %}
reports as (
    select * from all_reports
),
{% endif %}

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
    reports.report_urls,
    reports.title,
    reports.format,
    coalesce(reports.format like '%-ocr', false) as is_ocr,
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
    coalesce(parser_checks.parser_checks_failed, 0) as parser_checks_failed,
    reports.version_key
from reports
left join office_years using (report_id)
left join identities using (report_id)
left join parser_checks
    on parser_checks.sha256 = reports.sha256
    and parser_checks.parser_version = reports.parser_version
