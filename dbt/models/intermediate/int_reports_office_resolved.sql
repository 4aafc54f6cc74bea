-- One row per report: its current version and parse, the year it covers and the office
-- that published it.
--
-- The office is the one the document names (the parse), else the crawl's guess from the
-- title, under the district the crawl found the report in. Which registry office that name
-- stands for is decided in Python (scrapers/offices.py, written to raw.office_matches after
-- each load): this model joins the answer and matches nothing itself.
--
-- version_key changes whenever anything a report is resolved from changes: its current
-- version and parse as int_report_versions_ranked describes them, its office match, the
-- office registry, the dictionaries the facts apply. Everything here is a function of those,
-- so the key also changes whenever anything the marts copy from here may change; the
-- incremental models (this one included) rebuild a report's rows exactly when its key changes.
-- A report that became the copy of another is deleted after the run (the post-hook, a hash
-- join on the listed URLs: a correlated list search was quadratic): the report it duplicates
-- now lists its URL.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='report_id',
    on_schema_change='fail',
    post_hook="
        delete from {{ this }}
        where report_id in (
            select stale.report_id
            from {{ this }} as stale
            join (select report_id, unnest(report_urls) as url from {{ this }}) as kept
                on kept.url = stale.report_url and kept.report_id <> stale.report_id
        )",
) }}

with registry_version as (
    select md5(string_agg(
        concat_ws('|', office_id, district, district_code, office_name, normalised_name, office_type,
                  valid_from, valid_to),
        ';' order by office_id
    )) as registry_hash
    from {{ ref('offices') }}
),

current_versions as (
    select
        *,
        coalesce(parsed_year, year_hint) as year,
        coalesce(parsed_office, office_hint) as printed_office
    from {{ ref('int_report_versions_ranked') }}
    where is_current
),

matches as (
    select * from {{ ref('stg_raw__office_matches') }}
),

matched as (
    select
        current_versions.*,
        matches.office_id as matched_office_id,
        matches.is_registered as is_office_registered,
        matches.office_name as matched_office_name,
        matches.normalised_name as office_key,
        matches.office_type as matched_office_type,
        matches.district as matched_district,
        matches.resolved_district_code,
        matches.registry_version
    from current_versions
    left join matches
        on matches.district_code is not distinct from current_versions.district_code
        and matches.printed_name = current_versions.printed_office
        and matches.year is not distinct from current_versions.year
),

-- One report per document: within an office-year the same bytes under several URLs (a report
-- posted twice, a link with ?from=list from before URLs were made canonical) are one report,
-- kept under the URL first fetched, with every URL in report_urls.
deduplicated as (
    select
        matched.*,
        list(report_url) over same_document as report_urls,
        row_number() over same_document as document_rank
    from matched
    window same_document as (
        partition by coalesce(matched_office_id, report_id), year, sha256
        order by first_fetched_at, report_url
        rows between unbounded preceding and unbounded following
    )
),

keyed as (
    select
        matched.*,
        {{ hash_columns([
            'matched.report_id', 'matched.sha256', 'matched.report_url', 'matched.document_id',
            'matched.source_url', 'matched.origin', 'matched.portal', 'matched.district',
            'matched.district_code', 'matched.title', 'matched.media_type', 'matched.office_hint',
            'matched.year_hint', 'matched.first_published_date', 'matched.first_fetched_at',
            'matched.fetched_at', 'matched.parser_version', 'matched.parsed_at', 'matched.parsed_year',
            'matched.parsed_office', 'matched.template', 'matched.status', 'matched.format',
            'matched.problems', 'matched.version_number', 'matched.version_count',
            'matched.matched_office_id', 'matched.registry_version', 'matched.report_urls',
            'registry_version.registry_hash', 'dictionary.dictionary_hash',
        ]) }} as version_key
    from deduplicated as matched
    cross join registry_version
    cross join {{ ref('int_dictionaries_hashed') }} as dictionary
    where matched.document_rank = 1
),

reports as (
    select * from keyed
    {%- if is_incremental() %}
    where version_key not in (select version_key from {{ this }})
    {%- endif %}
),

final as (
    select
        -- ids
        report_id,
        matched_office_id as office_id,
        sha256,
        parser_version,
        document_id,

        -- where and who
        coalesce(matched_district, district) as district,
        coalesce(resolved_district_code, district_code) as district_code,
        matched_office_name as office_name,
        printed_office,
        office_key,
        matched_office_type as office_type,
        coalesce(is_office_registered, false) as is_office_registered,

        -- what the report is
        year,
        template,
        coalesce(status, 'not_parsed') as status,
        format,
        problems,
        title,

        -- provenance
        report_url,
        report_urls,
        source_url,
        origin,
        portal,
        media_type,
        first_published_date as published_date,
        first_fetched_at,
        fetched_at,
        parsed_at,
        version_number,
        version_count,
        version_key,
        -- the dbt invocation that (re)built this row: the tests of the facts read the reports
        -- of this build only (macros/built_in_this_run.sql)
        '{{ invocation_id }}' as invocation_id
    from reports
)

select * from final
