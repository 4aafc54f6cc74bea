with source as (
    select * from {{ source('raw', 'documents') }}
),

renamed as (
    select
        document_id,
        md5(report_url) as report_id,
        report_url,
        source_url,
        sha256,
        origin,
        portal,
        district,
        district_code,
        category,
        title,
        office_hint,
        year_hint,
        published_date,
        media_type,
        fetched_at
    from source
)

select * from renamed
