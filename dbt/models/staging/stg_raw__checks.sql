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
        -- a check written before checks named their identity keeps its own name, so that it
        -- stays one row of the QA mart (and fails its accepted identities until re-parsed)
        coalesce(identity, name) as identity,
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
