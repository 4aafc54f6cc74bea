with source as (
    select * from {{ source('raw', 'documents') }}
),

renamed as (
    select
        -- ids: a report is its URL; each distinct byte string at that URL is a version
        document_id,
        md5(report_url) as report_id,
        report_url,
        source_url,
        sha256,

        -- where it came from
        origin,
        nullif(trim(portal), '') as portal,
        nullif(trim(district), '') as district,
        nullif(trim(district_code), '') as district_code,
        nullif(trim(category), '') as category,
        nullif(trim(title), '') as title,
        media_type,

        -- what the crawl guessed before parsing
        nullif(trim(office_hint), '') as office_hint,
        year_hint,

        -- dates
        published_date,
        fetched_at
    from source
)

select * from renamed
