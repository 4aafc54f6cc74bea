{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ delete_superseded_versions(ref('int_reports_office_resolved')) }}",
) }}

-- Every identity of the templates evaluated on every report where its cells were read,
-- passed or not, with both sides. The same queries back the generic tests on the pivoted
-- tables (macros/identities.sql).
with reports as (
    {{ reports_to_build(ref('int_reports_office_resolved'), ['requests', 'appeals']) }}
),

request_table as (
    select pivoted.*
    from {{ ref('int_request_rows_pivoted') }} as pivoted
    semi join reports using (report_id, version_key)
),

appeal_table as (
    select pivoted.*
    from {{ ref('int_appeal_rows_pivoted') }} as pivoted
    semi join reports using (report_id, version_key)
),

evaluations as (
    {{ row_total_evaluations(
        'request_table', 'row_code', applicant_part_columns(),
        'requests_row_total', 'requests', '自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他'
    ) }}
    union all
    ({{ request_outcome_total_evaluations('request_table', ref('request_rows')) }})
    union all
    ({{ request_balance_evaluations('request_table') }})
    union all
    {{ non_negative_evaluations('request_table', 'row_code', applicant_part_columns() + ['total'], 'requests') }}
    union all
    {{ row_total_evaluations(
        'appeal_table', 'proceeding', appeal_part_columns(),
        'appeals_row_total', 'appeals', '结果维持 + 结果纠正 + 其他结果 + 尚未审结'
    ) }}
    union all
    {{ non_negative_evaluations('appeal_table', 'proceeding', appeal_part_columns() + ['total'], 'appeals') }}
)

select
    evaluations.*,
    reports.version_key
from evaluations
join reports using (report_id)
