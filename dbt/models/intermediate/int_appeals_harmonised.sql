{{ config(materialized='ephemeral') }}

-- Table 四 of every parse, typed. The 2019 and 2021 templates print the same table, so the
-- codes need no mapping; this is the one place that says so.
with cells as (
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'appeals'
)

select
    sha256,
    parser_version,
    row_code as proceeding,
    column_code as result,
    cast(value as bigint) as value,
    raw_text,
    location
from cells
