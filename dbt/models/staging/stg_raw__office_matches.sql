with source as (
    select * from {{ source('raw', 'office_matches') }}
),

renamed as (
    select
        -- the key a report is resolved under
        district_code,
        printed_name,
        year,

        -- the answer of scrapers/offices.py
        office_id,
        is_registered,
        office_name,
        normalised_name,
        office_type,
        district,
        resolved_district_code,
        method,
        registry_version
    from source
)

select * from renamed
