{{ config(materialized='ephemeral') }}

-- Districts as reports print them (东城区, 宣武区, 密云县) and how they are related: a
-- district whose offices passed to another on a date (宣武 → 西城 in 2010, 密云县 → 密云区
-- in 2015) is linked both ways, so that an office is looked for in its whole lineage.
-- Read from the registry: an office that ends on the day a same-named office of another
-- district begins (for district governments: the government of the same district name).
with registry as (
    select
        *,
        case
            when office_type = 'district_government' then 'gov:' || district
            else normalised_name
        end as lineage_key
    from {{ ref('offices') }}
),

printed_forms as (
    select distinct
        replace(replace(office_name, '北京市', ''), '人民政府', '') as printed_district,
        district,
        district_code,
        valid_to is null as is_current
    from registry
    where office_type = 'district_government'
),

links as (
    select distinct
        ended.district_code as district_code,
        started.district_code as related_district_code
    from registry as ended
    join registry as started
        on ended.valid_to = started.valid_from
        and ended.lineage_key = started.lineage_key
        and ended.district_code <> started.district_code
),

related as (
    select district_code, district_code as related_district_code from printed_forms
    union
    select district_code, related_district_code from links
    union
    select related_district_code, district_code from links
),

lineages as (
    select district_code, list(distinct related_district_code order by related_district_code) as lineage_codes
    from related
    group by district_code
)

select
    printed_forms.printed_district,
    printed_forms.district,
    printed_forms.district_code,
    printed_forms.is_current,
    lineages.lineage_codes
from printed_forms
join lineages using (district_code)
