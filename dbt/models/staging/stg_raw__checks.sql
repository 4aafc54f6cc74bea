with source as (
    select * from {{ source('raw', 'checks') }}
),

renamed as (
    select
        -- ids
        sha256,
        parser_version,

        -- the identity the parser checked, and both sides
        name as check_name,
        passed as is_passed,
        left_value,
        right_value
    from source
)

select * from renamed
