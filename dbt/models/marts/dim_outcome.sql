-- The rows of table 三: the outcome reasons under their categories (予以公开, 部分公开,
-- 不予公开, 无法提供, 不予处理, 其他处理), the input rows (本年新收, 上年结转) and the totals,
-- with the templates that print each and the row a sub-row rolls up to.
with request_rows as (
    select * from {{ ref('request_rows') }}
),

comparable as (
    select
        comparable_2019_outcome as outcome,
        list(code order by code) as comparable_pre2019_measures
    from {{ ref('narrative_measures') }}
    where comparable_2019_outcome is not null
    group by all
)

select
    request_rows.code as outcome,
    request_rows.label_zh,
    request_rows.label_en,
    request_rows.role,
    request_rows.category,
    request_rows.category_zh,
    request_rows.category_en,
    case
        when request_rows.harmonised_outcome <> request_rows.code then request_rows.harmonised_outcome
    end as parent_outcome,
    request_rows.in_2019,
    request_rows.in_2021,
    coalesce(comparable.comparable_pre2019_measures, []::varchar[]) as comparable_pre2019_measures,
    request_rows.sort_order
from request_rows
left join comparable on comparable.outcome = request_rows.code
