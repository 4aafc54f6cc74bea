-- Slice model (issue 2): replaced by the harmonised fact model of the warehouse issue.
with documents as (
    select * from {{ ref('stg_raw__documents') }}
    qualify row_number() over (partition by report_id order by fetched_at desc) = 1
),

cells as (
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'requests'
)

select
    documents.report_id,
    documents.district,
    documents.office_hint as office_name,
    documents.year_hint as year,
    cells.column_code as applicant_type,
    cells.row_code as outcome,
    cast(cells.value as bigint) as value,
    cells.raw_text as raw
from documents
join cells using (sha256)
