with source as (
    select * from {{ source('raw', 'fetches') }}
),

renamed as (
    select
        -- ids
        fetch_id,
        sha256,

        -- request and answer
        nullif(trim(portal), '') as portal,
        nullif(trim(district), '') as district,
        request_url,
        final_url,
        status as http_status,
        content_type,
        charset,
        coalesce(not_modified, false) as is_not_modified,
        error,

        -- timing
        fetched_at,
        elapsed_ms
    from source
)

select * from renamed
