with source as (
    select * from {{ source('raw', 'parses') }}
),

renamed as (
    select
        -- ids: a re-parse by the same parser version replaces the parse, with a new parsed_at
        sha256,
        parser_version,
        md5(concat_ws('|', sha256, parser_version, parsed_at)) as parse_key,
        {{ parser_version_key('parser_version') }} as parser_version_key,

        -- what the document says about itself
        year,
        nullif(trim(office), '') as office,
        coalesce(template, 'unknown') as template,
        status,
        format,
        coalesce(try_cast(problems as varchar[]), []::varchar[]) as problems,

        -- timestamps
        parsed_at
    from source
)

select * from renamed
