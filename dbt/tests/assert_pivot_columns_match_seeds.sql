-- The pivoted tables and the identities name their columns in macros/identities.sql; this
-- fails when those lists and the seeds of canonical codes (applicant_types, appeal_results)
-- drift apart, for then a column would silently be left out of a sum.
with in_macros as (
    {%- for code in applicant_part_columns() %}
    select 'applicant_types' as seed, '{{ code }}' as code
    union all
    {%- endfor %}
    {%- for code in appeal_part_columns() %}
    select 'appeal_results', '{{ code }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

in_seeds as (
    select 'applicant_types' as seed, code from {{ ref('applicant_types') }} where not is_total
    union all
    select 'appeal_results', code from {{ ref('appeal_results') }} where not is_total
)

select coalesce(in_macros.seed, in_seeds.seed) as seed, in_macros.code as in_macros, in_seeds.code as in_seeds
from in_macros
full outer join in_seeds using (seed, code)
where in_macros.code is null or in_seeds.code is null
