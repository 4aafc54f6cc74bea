{{ config(materialized='ephemeral') }}

-- The office registry with the names reports may use for each office: its registered
-- comparable name, the comparable form of its published name, and for 街道/乡镇 the stem
-- without 街道/地区/乡. One row per office and key.
with registry as (
    select * from {{ ref('offices') }}
),

district_forms as (
    select * from {{ ref('int_districts_linked') }}
),

published as (
    select
        registry.*,
        {{ clean_office_name('registry.office_name') }} as office_name_clean
    from registry
),

without_district as (
    select
        published.*,
        district_forms.printed_district,
        {{ strip_government_title(
            "substr(published.office_name_clean, length(coalesce(district_forms.printed_district, '')) + 1)"
        ) }} as office_name_rest
    from published
    left join district_forms
        on district_forms.district_code = published.district_code
        and starts_with(published.office_name_clean, district_forms.printed_district)
    qualify row_number() over (
        partition by published.office_id order by length(district_forms.printed_district) desc nulls last
    ) = 1
),

keys as (
    select office_id, normalised_name as office_key, 1 as key_rank from registry
    union
    select office_id, {{ office_name_key('office_name_rest', 'printed_district') }}, 1 from without_district
),

stems as (
    select keys.office_id, {{ office_name_stem('keys.office_key') }} as office_key, 2 as key_rank
    from keys
    join registry using (office_id)
    where registry.office_type in ('subdistrict', 'town')
)

select
    registry.office_id,
    registry.district,
    registry.district_code,
    registry.office_name,
    registry.office_type,
    registry.valid_from,
    registry.valid_to,
    all_keys.office_key,
    all_keys.key_rank
from (select * from keys union select * from stems) as all_keys
join registry using (office_id)
