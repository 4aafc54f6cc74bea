{{ config(materialized='view') }}

-- Table 三 of every parse in one outcome vocabulary. Each printed cell keeps its own row
-- code; where a table prints sub-rows that the other template prints as one row (2021's
-- （六）1–3 under （六）其他处理), their sum is added as a derived row of the one-row code
-- (`other`), so that `other` exists for both templates and the sub-rows stay at their own
-- grain. Which rows roll up into which is data: request_rows.harmonised_outcome.
-- Per parse (sha256, parser_version), history included; the facts pick current versions.
with cells as (
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'requests'
),

request_rows as (
    select * from {{ ref('request_rows') }}
),

printed as (
    select
        cells.sha256,
        cells.parser_version,
        cells.column_code as applicant_type,
        cells.row_code as outcome,
        cast(cells.value as bigint) as value,
        cells.raw_text,
        cells.location,
        false as is_derived
    from cells
),

-- sub-rows whose harmonised code is another row
sub_rows as (
    select printed.*, request_rows.harmonised_outcome
    from printed
    join request_rows
        on request_rows.code = printed.outcome
        and request_rows.harmonised_outcome is not null
        and request_rows.harmonised_outcome <> request_rows.code
),

rolled_up as (
    select
        sub_rows.sha256,
        sub_rows.parser_version,
        sub_rows.applicant_type,
        sub_rows.harmonised_outcome as outcome,
        cast(sum(sub_rows.value) as bigint) as value,
        cast(null as varchar) as raw_text,
        'sum of ' || string_agg(sub_rows.outcome, ' + ' order by sub_rows.outcome) as location,
        true as is_derived
    from sub_rows
    -- a table that prints the one row itself needs no sum (a parse never holds both)
    anti join printed
        on printed.sha256 = sub_rows.sha256
        and printed.parser_version = sub_rows.parser_version
        and printed.applicant_type = sub_rows.applicant_type
        and printed.outcome = sub_rows.harmonised_outcome
    group by all
)

select * from printed
union all by name
select * from rolled_up
