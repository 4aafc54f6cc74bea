-- How many cells each parse holds per table, and their sum: one pass over raw.cells that
-- the rest reuses (which parses and reports have anything to load into a model, which of two
-- reports of an office-year was read more fully, whether the facts hold every parsed cell
-- once). sub_row_cells counts the table 三 cells of rows that roll up into another
-- (request_rows.harmonised_outcome), the only parses int_requests_rolled_up reads.
with cells as (
    select * from {{ ref('stg_raw__cells') }}
),

sub_rows as (
    select code from {{ ref('request_rows') }}
    where harmonised_outcome is not null and harmonised_outcome <> code
)

select
    sha256,
    parser_version,
    table_name,
    count(*) as cells,
    sum(value) as value_sum,
    count(*) filter (where table_name = 'requests' and row_code in (select code from sub_rows)) as sub_row_cells
from cells
group by sha256, parser_version, table_name
