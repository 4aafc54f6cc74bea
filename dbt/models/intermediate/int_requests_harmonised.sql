{{ config(materialized='view') }}

-- Table 三 of every parse in one outcome vocabulary. Each printed cell keeps its own row
-- code; where a table prints sub-rows that the other template prints as one row (2021's
-- （六）1–3), the derived row of int_requests_rolled_up carries their sum under the
-- one-row code (`other`), so that `other` exists for both templates and the sub-rows stay
-- at their own grain. Per parse, history included; the facts pick current versions.
with cells as (
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'requests'
),

printed as (
    select
        sha256,
        parser_version,
        column_code as applicant_type,
        row_code as outcome,
        cast(value as bigint) as value,
        raw_text,
        location,
        false as is_derived
    from cells
),

derived as (
    select
        sha256,
        parser_version,
        applicant_type,
        outcome,
        value,
        cast(null as varchar) as raw_text,
        location,
        true as is_derived
    from {{ ref('int_requests_rolled_up') }}
)

select * from printed
union all
select * from derived
