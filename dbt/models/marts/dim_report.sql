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

-- Which report speaks for an office in a year. An office sometimes has two reports for one
-- year (the same report posted at two URLs, a PDF attachment beside its page): the best read
-- one is primary (status ok before partial before the rest, then the one with more cells,
-- then the newest), the others stay here. Ranked over every report of the office-years built.
cell_counts as (
    select sha256, parser_version, sum(cells) as cells
    from {{ ref('int_parse_tables_counted') }}
    group by all
),

office_years as (
    select
        all_reports.report_id,
        row_number() over (
            partition by all_reports.office_id, all_reports.year
            order by
                case all_reports.status when 'ok' then 1 when 'partial' then 2 else 3 end,
                coalesce(cell_counts.cells, 0) desc,
                all_reports.fetched_at desc,
                all_reports.report_id
        ) = 1 as is_primary,
        count(*) over (partition by all_reports.office_id, all_reports.year) as reports_in_office_year
    from all_reports
    left join cell_counts
        on cell_counts.sha256 = all_reports.sha256
        and cell_counts.parser_version = all_reports.parser_version
    where all_reports.office_id is not null and all_reports.year is not null
),

-- the identities scrapers/parse/checks.py evaluated on each report's current parse
checks as (
    select
        checks.sha256,
        checks.parser_version,
        count(*) as identities_checked,
        count(*) filter (where not checks.is_passed) as identity_violations
    from {{ ref('stg_raw__checks') }} as checks
    semi join reports
        on reports.sha256 = checks.sha256
        and reports.parser_version = checks.parser_version
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
    coalesce(checks.identities_checked, 0) as identities_checked,
    coalesce(checks.identity_violations, 0) as identity_violations,
    -- every check of the parser is an identity: the same count, kept for the contract
    coalesce(checks.identity_violations, 0) as parser_checks_failed,
    reports.version_key
from reports
left join office_years using (report_id)
left join checks
    on checks.sha256 = reports.sha256
    and checks.parser_version = reports.parser_version
