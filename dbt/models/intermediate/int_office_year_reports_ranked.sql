{{ config(materialized='ephemeral') }}

-- Which report speaks for an office in a year. An office sometimes has two reports for one
-- year (the same report posted at two URLs, a PDF attachment beside its page): the best
-- read one is primary (status ok before partial before the rest, then the one with more
-- cells, then the newest), the others stay in dim_report.
with reports as (
    select * from {{ ref('int_reports_office_resolved') }}
    where office_id is not null and year is not null
),

cell_counts as (
    select sha256, parser_version, sum(cells) as cells
    from {{ ref('int_parse_tables_counted') }}
    group by all
),

ranked as (
    select
        reports.office_id,
        reports.year,
        reports.report_id,
        row_number() over (
            partition by reports.office_id, reports.year
            order by
                case reports.status when 'ok' then 1 when 'partial' then 2 else 3 end,
                coalesce(cell_counts.cells, 0) desc,
                reports.fetched_at desc,
                reports.report_id
        ) as rank_in_office_year,
        count(*) over (partition by reports.office_id, reports.year) as reports_in_office_year
    from reports
    left join cell_counts
        on cell_counts.sha256 = reports.sha256
        and cell_counts.parser_version = reports.parser_version
)

select
    *,
    rank_in_office_year = 1 as is_primary
from ranked
