with source as (
    select * from {{ source('raw', 'checks') }}
),

renamed as (
    select
        -- ids
        sha256,
        parser_version,

        -- the identity scrapers/parse/checks.py evaluated, where, and both sides as printed
        name as check_name,
        identity,
        table_name,
        row_code,
        column_code,
        left_side,
        right_side,
        left_value,
        right_value,
        passed as is_passed
    from source
)

select * from renamed
