{{ config(materialized='view') }}

-- Every version (distinct bytes) of every report, numbered in the order they were first
-- fetched, with the parse of the newest parser version that read them. History stays here;
-- the marts read only the current version of each report. (Rankings are computed on narrow
-- rows and joined back: windows over wide rows are what makes this slow at scale.)
with documents as (
    select * from {{ ref('stg_raw__documents') }}
),

parses as (
    select * from {{ ref('stg_raw__parses') }}
),

-- a re-parse by a newer parser replaces the older reading of the same bytes
newest_parses as (
    select sha256, arg_max(parser_version, (parser_version_key, parsed_at)) as parser_version
    from parses
    group by sha256
),

versions as (
    select
        report_id,
        sha256,
        -- the latest fetch of these bytes describes them
        arg_max(document_id, fetched_at) as document_id,
        min(published_date) as published_date,
        min(fetched_at) as first_fetched_at,
        max(fetched_at) as fetched_at
    from documents
    group by report_id, sha256
),

ranked as (
    select
        versions.*,
        newest_parses.parser_version,
        row_number() over (
            partition by versions.report_id order by versions.first_fetched_at, versions.sha256
        ) as version_number,
        count(*) over (partition by versions.report_id) as version_count,
        -- a report is published when its first version is; later versions are corrections
        min(versions.published_date) over (partition by versions.report_id) as first_published_date,
        -- the newest version that has been parsed wins; a report never parsed keeps its newest bytes
        row_number() over (
            partition by versions.report_id
            order by newest_parses.sha256 is not null desc, versions.fetched_at desc, versions.sha256 desc
        ) = 1 as is_current
    from versions
    left join newest_parses on newest_parses.sha256 = versions.sha256
)

select
    ranked.report_id,
    ranked.sha256,
    documents.report_url,
    ranked.document_id,
    documents.source_url,
    documents.origin,
    documents.portal,
    documents.district,
    documents.district_code,
    documents.category,
    documents.title,
    documents.media_type,
    documents.office_hint,
    documents.year_hint,
    ranked.published_date,
    ranked.first_fetched_at,
    ranked.fetched_at,
    ranked.parser_version,
    parses.parsed_at,
    parses.year as parsed_year,
    parses.office as parsed_office,
    parses.template,
    parses.status,
    parses.format,
    parses.problems,
    ranked.version_number,
    ranked.version_count,
    ranked.first_published_date,
    ranked.is_current
from ranked
join documents on documents.document_id = ranked.document_id
left join parses
    on parses.sha256 = ranked.sha256
    and parses.parser_version = ranked.parser_version
