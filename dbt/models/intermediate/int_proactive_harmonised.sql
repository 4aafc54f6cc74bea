{{ config(materialized='view') }}

-- Table 二 of every parse on one list of item × measure pairs: the 2019 and 2021 templates
-- print different columns (本年新制作数量… vs 本年制发件数…), so every parse that printed a
-- table 二 gets every pair of proactive_grid, with the printed value where the table has the cell and
-- NULL where it has not; in_template says whether the parse's template has that pair.
-- Amounts are also given in 万元, whatever unit the report printed.
with parses as (
    select * from {{ ref('stg_raw__parses') }}
),

cells as (
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'proactive'
),

grid as (
    select * from {{ ref('proactive_grid') }}
),

measures as (
    select * from {{ ref('proactive_measures') }}
),

with_table as (
    select parses.sha256, parses.parser_version, parses.template
    from parses
    semi join {{ ref('int_parse_tables_counted') }} as parsed
        on parsed.sha256 = parses.sha256
        and parsed.parser_version = parses.parser_version
        and parsed.table_name = 'proactive'
),

full_list as (
    select
        with_table.sha256,
        with_table.parser_version,
        grid.item,
        grid.measure,
        case with_table.template
            when '2019' then grid.in_2019
            when '2021' then grid.in_2021
        end as in_template
    from with_table
    cross join grid
),

joined as (
    select
        coalesce(full_list.sha256, cells.sha256) as sha256,
        coalesce(full_list.parser_version, cells.parser_version) as parser_version,
        coalesce(full_list.item, cells.row_code) as item,
        coalesce(full_list.measure, cells.column_code) as measure,
        cells.value,
        coalesce(cells.unit, measures.unit) as unit,
        case
            when cells.value_normalised is not null then cells.value_normalised
            when coalesce(cells.unit, measures.unit) = 'wan_yuan' then cells.value
            when cells.unit = 'yuan' then cells.value / 10000
        end as amount_wan_yuan,
        cells.raw_text,
        cells.location,
        coalesce(full_list.in_template, false) as in_template,
        cells.sha256 is not null as is_printed
    from full_list
    full outer join cells
        on cells.sha256 = full_list.sha256
        and cells.parser_version = full_list.parser_version
        and cells.row_code = full_list.item
        and cells.column_code = full_list.measure
    left join measures
        on measures.code = coalesce(full_list.measure, cells.column_code)
)

select
    sha256,
    parser_version,
    item,
    measure,
    value,
    unit,
    -- only amounts have a money value; counts stay counts
    cast(case when unit in ('wan_yuan', 'yuan') then amount_wan_yuan end as decimal(24, 6)) as amount_wan_yuan,
    raw_text,
    location,
    in_template,
    is_printed
from joined
