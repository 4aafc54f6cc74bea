-- Table 二 of every parse on one list of item × measure pairs: the 2019 and 2021 templates
-- print different columns (本年新制作数量… vs 本年制发件数…), so every parse that printed a
-- table 二 gets every pair of proactive_grid, with the printed value where the table has
-- the cell and NULL where it has not; in_template says whether the template has the pair.
-- Amounts are also given in 万元, whatever unit the report printed. Incremental by parse,
-- history included; the facts pick current versions.
with with_table as (
    {{ parses_to_build('proactive') }}
),

cells as (
    {{ cells_of('with_table', 'proactive') }}
),

grid as (
    select * from {{ ref('proactive_grid') }}
),

measures as (
    select * from {{ ref('proactive_measures') }}
),

full_list as (
    select
        with_table.sha256,
        with_table.parser_version,
        with_table.parse_key,
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
        coalesce(full_list.parse_key, parse_keys.parse_key) as parse_key,
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
    left join with_table as parse_keys
        on parse_keys.sha256 = cells.sha256
        and parse_keys.parser_version = cells.parser_version
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
    is_printed,
    parse_key
from joined
