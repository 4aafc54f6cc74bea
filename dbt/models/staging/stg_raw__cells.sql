with source as (
    select * from {{ source('raw', 'cells') }}
),

renamed as (
    select
        sha256,
        parser_version,
        table_name,
        row_code,
        column_code,
        value,
        raw as raw_text,
        unit,
        value_normalised,
        approximate,
        location
    from source
)

select * from renamed
