with source as (
    select * from {{ source('raw', 'cells') }}
),

renamed as (
    select
        -- ids: the parse the cell belongs to
        sha256,
        parser_version,

        -- codes: table_name requests | appeals | proactive | narrative | extra
        table_name,
        row_code,
        column_code,

        -- numbers as printed, and amounts in 万元
        value,
        value_normalised,
        unit,
        coalesce(approximate, false) as is_approximate,

        -- provenance
        raw as raw_text,
        location
    from source
)

select * from renamed
