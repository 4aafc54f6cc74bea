-- The applicant columns of table 三 (申请人情况), with Chinese and English labels.
select
    code as applicant_type,
    label_zh,
    label_en,
    group_zh,
    group_en,
    is_total,
    sort_order
from {{ ref('applicant_types') }}
