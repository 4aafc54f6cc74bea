-- One row per report: its current version and parse, the year it covers and the office
-- that published it, matched to the office registry.
--
-- The office is the one the document names (the parse), else the crawl's guess from the
-- title. A name is matched within the district it prints ("北京市朝阳区…") or the portal it
-- was found on, and in that district's lineage (宣武区 → 西城区, 密云县 → 密云区); a name
-- that prints no district is matched only where it is unique in the registry. An office
-- no registry row matches gets a stable id of its own ("discovered").
--
-- version_key changes whenever anything a report is resolved from changes: its current
-- version and parse as int_report_versions_ranked describes them, the office registry, the
-- dictionaries the facts apply. Everything here is a function of those, so the key also
-- changes whenever anything the marts copy from here may change; the incremental models
-- (this one included) rebuild a report's rows exactly when its key changes.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='report_id',
    on_schema_change='fail',
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
        versions.*,
        {{ hash_columns([
            'versions.report_id', 'versions.sha256', 'versions.report_url', 'versions.document_id',
            'versions.source_url', 'versions.origin', 'versions.portal', 'versions.district',
            'versions.district_code', 'versions.title', 'versions.media_type', 'versions.office_hint',
            'versions.year_hint', 'versions.first_published_date', 'versions.first_fetched_at',
            'versions.fetched_at', 'versions.parser_version', 'versions.parsed_at', 'versions.parsed_year',
            'versions.parsed_office', 'versions.template', 'versions.status', 'versions.format',
            'versions.problems', 'versions.version_number', 'versions.version_count',
            'registry_version.registry_hash', 'dictionary.dictionary_hash',
        ]) }} as version_key
    from {{ ref('int_report_versions_ranked') }} as versions
    cross join registry_version
    cross join {{ ref('int_dictionaries_hashed') }} as dictionary
    where versions.is_current
),

reports as (
    select * from current_versions
    {%- if is_incremental() %}
    where version_key not in (select version_key from {{ this }})
    {%- endif %}
),

districts as (
    select * from {{ ref('int_districts_linked') }}
),

offices as (
    select * from {{ ref('int_offices_keyed') }}
),

named as (
    select
        reports.*,
        coalesce(reports.parsed_year, reports.year_hint) as year,
        coalesce(reports.parsed_office, reports.office_hint) as printed_office,
        {{ clean_office_name('coalesce(reports.parsed_office, reports.office_hint)') }} as office_clean
    from reports
),

-- the names a crawl or a document gives a district (东城, 东城区); where two districts share
-- a name (密云县 and 密云区 are both 密云) the current one
district_names as (
    select name, arg_max(district_code, is_current) as district_code
    from (
        select district as name, district_code, is_current from districts
        union all
        select printed_district, district_code, is_current from districts
    )
    group by name
),

-- the district the crawl found the report in, by code or by name
crawled as (
    select
        named.*,
        crawl_district.district_code as crawl_district_code,
        crawl_district.lineage_codes as crawl_lineage_codes
    from named
    left join district_names on district_names.name = named.district
    left join districts as crawl_district
        on crawl_district.district_code = coalesce(named.district_code, district_names.district_code)
),

-- the district the office's name prints after 北京市 (朝阳区, 石景山区, 密云县)
printed as (
    select
        crawled.*,
        printed_district.printed_district,
        printed_district.district_code as printed_district_code,
        printed_district.lineage_codes as printed_lineage_codes
    from crawled
    left join districts as printed_district
        on printed_district.printed_district = regexp_extract(crawled.office_clean, '^(.{2,4}?[区县])', 1)
),

stripped as (
    select
        printed.*,
        {{ strip_government_title("substr(office_clean, length(coalesce(printed_district, '')) + 1)") }}
            as office_rest
    from printed
),

keyed as (
    select
        stripped.*,
        {{ office_name_key('office_rest', 'printed_district') }} as office_key,
        list_distinct(
            coalesce(printed_lineage_codes, []::varchar[]) || coalesce(crawl_lineage_codes, []::varchar[])
        ) as search_codes
    from stripped
),

candidates as (
    select keyed.report_id, offices.*
    from keyed
    join offices
        on offices.key_rank = 1 and offices.office_key = keyed.office_key
    union all
    select keyed.report_id, offices.*
    from keyed
    join offices
        on offices.key_rank = 2 and offices.office_key = {{ office_name_stem('keyed.office_key') }}
    where regexp_matches(keyed.office_key, '(街道|地区|社区|镇|乡)$')
),

ranked as (
    select
        candidates.report_id,
        candidates.office_id,
        candidates.district_code,
        candidates.key_rank,
        (candidates.valid_from is null or candidates.valid_from <= make_date(keyed.year, 12, 31))
            and (candidates.valid_to is null or candidates.valid_to > make_date(keyed.year, 12, 31))
            as is_valid_in_year,
        candidates.district_code in (keyed.printed_district_code, keyed.crawl_district_code)
            as is_named_district,
        len(keyed.search_codes) = 0 as is_district_unknown
    from candidates
    join keyed using (report_id)
    where len(keyed.search_codes) = 0 or list_contains(keyed.search_codes, candidates.district_code)
),

best as (
    select
        *,
        -- without a district, a name that fits offices in several districts is ambiguous
        count(distinct office_id) over (
            partition by report_id, key_rank, is_valid_in_year, is_named_district
        ) as tied_offices
    from ranked
    qualify row_number() over (
        partition by report_id
        order by key_rank, is_valid_in_year desc, is_named_district desc, office_id
    ) = 1
),

matched as (
    select report_id, office_id
    from best
    where not (is_district_unknown and tied_offices > 1)
),

registry as (
    select * from {{ ref('offices') }}
),

resolved as (
    select
        keyed.*,
        matched.office_id is not null as is_office_registered,
        coalesce(
            matched.office_id,
            case when keyed.office_key is not null and keyed.office_key <> '' then
                'discovered-'
                || coalesce(keyed.printed_district_code, keyed.crawl_district_code, 'unknown')
                || '-' || left(md5(keyed.office_key), 10)
            end
        ) as resolved_office_id,
        registry.office_name as registered_office_name,
        registry.office_type as registered_office_type,
        registry.district as registered_district,
        registry.district_code as registered_district_code
    from keyed
    left join matched using (report_id)
    left join registry on registry.office_id = matched.office_id
),

final as (
    select
        -- ids
        resolved.report_id,
        resolved.resolved_office_id as office_id,
        resolved.sha256,
        resolved.parser_version,
        resolved.document_id,

        -- where and who
        coalesce(
            resolved.registered_district,
            printed_district.district,
            crawl_district.district,
            resolved.district
        ) as district,
        coalesce(
            resolved.registered_district_code,
            resolved.printed_district_code,
            resolved.crawl_district_code,
            resolved.district_code
        ) as district_code,
        coalesce(resolved.registered_office_name, resolved.office_clean) as office_name,
        resolved.printed_office,
        resolved.office_key,
        coalesce(resolved.registered_office_type, {{ office_type_of('resolved.office_key') }}) as office_type,
        resolved.is_office_registered,

        -- what the report is
        resolved.year,
        resolved.template,
        coalesce(resolved.status, 'not_parsed') as status,
        resolved.format,
        resolved.problems,
        resolved.title,

        -- provenance
        resolved.report_url,
        resolved.source_url,
        resolved.origin,
        resolved.portal,
        resolved.media_type,
        resolved.first_published_date as published_date,
        resolved.first_fetched_at,
        resolved.fetched_at,
        resolved.parsed_at,
        resolved.version_number,
        resolved.version_count,
        resolved.version_key
    from resolved
    left join districts as printed_district
        on printed_district.printed_district = resolved.printed_district
    left join districts as crawl_district
        on crawl_district.district_code = resolved.crawl_district_code
)

select * from final
