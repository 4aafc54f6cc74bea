-- How many cells each parse holds per table, and their sum: the one pass over raw.cells
-- that the rest reuses (which parses and reports have anything to load into a model, which
-- of two reports of an office-year was read more fully, whether the facts hold every parsed
-- cell once). sub_row_cells counts the table 三 cells of rows that roll up into another
-- (request_rows.harmonised_outcome), the only parses int_requests_rolled_up reads.
-- Incremental by parse; a parse without cells keeps one row with no table, so that it is
-- not looked at again.
with parses as (
    select
        parses.sha256,
        parses.parser_version,
        {{ current_parse_key('parses') }} as parse_key
    from {{ ref('stg_raw__parses') }} as parses
    cross join {{ ref('int_dictionaries_hashed') }} as dictionaries
    {%- if is_incremental() %}
    where {{ current_parse_key('parses') }} not in (select distinct parse_key from {{ this }})
    {%- endif %}
),

cells as (
    {{ cells_of('parses') }}
),

sub_rows as (
    select code from {{ ref('request_rows') }}
    where harmonised_outcome is not null and harmonised_outcome <> code
),

counted as (
    select
        sha256,
        parser_version,
        table_name,
        count(*) as cells,
        sum(value) as value_sum,
        count(*) filter (where table_name = 'requests' and row_code in (select code from sub_rows))
            as sub_row_cells
    from cells
    group by sha256, parser_version, table_name
)

select
    parses.sha256,
    parses.parser_version,
    counted.table_name,
    coalesce(counted.cells, 0) as cells,
    counted.value_sum,
    coalesce(counted.sub_row_cells, 0) as sub_row_cells,
    parses.parse_key
from parses
left join counted
    on counted.sha256 = parses.sha256
    and counted.parser_version = parses.parser_version
