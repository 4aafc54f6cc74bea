-- The derived rows of table 三: where a table prints sub-rows that the other template prints
-- as one row (2021's （六）1–3 under （六）其他处理), their sum as a row of the one-row code
-- (`other`), per parse and applicant column. Which rows roll up into which is data:
-- request_rows.harmonised_outcome. Incremental by parse: a run reads only the cells of
-- parses it has not seen (or whose dictionaries changed); history included.
with parses as (
    {{ parses_to_build('requests', 'parsed.sub_row_cells > 0') }}
),

cells as (
    select cells.*, parses.parse_key
    from ({{ cells_of('parses', 'requests') }}) as cells
    join parses using (sha256, parser_version)
),

request_rows as (
    select * from {{ ref('request_rows') }}
),

-- printed rows whose harmonised code is another row
sub_rows as (
    select cells.*, request_rows.harmonised_outcome
    from cells
    join request_rows
        on request_rows.code = cells.row_code
        and request_rows.harmonised_outcome is not null
        and request_rows.harmonised_outcome <> request_rows.code
)

select
    sub_rows.sha256,
    sub_rows.parser_version,
    sub_rows.column_code as applicant_type,
    sub_rows.harmonised_outcome as outcome,
    cast(sum(sub_rows.value) as bigint) as value,
    'sum of ' || string_agg(sub_rows.row_code, ' + ' order by sub_rows.row_code) as location,
    sub_rows.parse_key
from sub_rows
-- a table that prints the one row itself needs no sum (a parse never holds both)
anti join cells
    on cells.sha256 = sub_rows.sha256
    and cells.parser_version = sub_rows.parser_version
    and cells.column_code = sub_rows.column_code
    and cells.row_code = sub_rows.harmonised_outcome
group by sub_rows.sha256, sub_rows.parser_version, sub_rows.column_code, sub_rows.harmonised_outcome,
    sub_rows.parse_key
