-- Every version (distinct bytes) of every report, numbered in the order they were first
-- fetched, with the parse of the newest parser version that read them. History stays here;
-- the marts read only the current version of each report.
with documents as (
    select * from {{ ref('stg_raw__documents') }}
),

parses as (
    select * from {{ ref('stg_raw__parses') }}
    -- a re-parse by a newer parser replaces the older reading of the same bytes
    qualify row_number() over (
        partition by sha256 order by parser_version_key desc, parsed_at desc
    ) = 1
),

versions as (
    select
        report_id,
        sha256,
        any_value(report_url) as report_url,
        arg_max(document_id, fetched_at) as document_id,
        arg_max(source_url, fetched_at) as source_url,
        arg_max(origin, fetched_at) as origin,
        arg_max(portal, fetched_at) as portal,
        arg_max(district, fetched_at) as district,
        arg_max(district_code, fetched_at) as district_code,
        arg_max(category, fetched_at) as category,
        arg_max(title, fetched_at) as title,
        arg_max(media_type, fetched_at) as media_type,
        arg_max(office_hint, fetched_at) as office_hint,
        arg_max(year_hint, fetched_at) as year_hint,
        min(published_date) as published_date,
        min(fetched_at) as first_fetched_at,
        max(fetched_at) as fetched_at
    from documents
    group by report_id, sha256
),

numbered as (
    select
        versions.*,
        parses.parser_version,
        parses.parsed_at,
        parses.year as parsed_year,
        parses.office as parsed_office,
        parses.template,
        parses.status,
        parses.format,
        parses.problems,
        row_number() over (
            partition by versions.report_id order by versions.first_fetched_at, versions.sha256
        ) as version_number,
        count(*) over (partition by versions.report_id) as version_count,
        -- a report is published when its first version is; later versions are corrections
        min(versions.published_date) over (partition by versions.report_id) as first_published_date,
        -- the newest version that has been parsed wins; a report never parsed keeps its newest bytes
        row_number() over (
            partition by versions.report_id
            order by parses.sha256 is not null desc, versions.fetched_at desc, versions.sha256 desc
        ) = 1 as is_current
    from versions
    left join parses on parses.sha256 = versions.sha256
)

select * from numbered
