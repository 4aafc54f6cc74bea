{{ config(materialized='ephemeral') }}

-- The statistics pre-2019 reports state in sentences (and their 统计表 rows, which the parser
-- maps onto the same measures), one row per stated measure, per parse.
with cells as (
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'narrative'
)

select
    sha256,
    parser_version,
    row_code as measure,
    value,
    is_approximate,
    raw_text,
    location
from cells
