{{ config(materialized='view') }}

-- One row: a hash of the dictionaries the facts apply (which rows roll up into which, the
-- table 二 grid). It is part of the keys of the incremental models, so that editing a
-- dictionary rebuilds what depends on it.
select md5(
    (select string_agg(concat_ws(',', code, role, category, harmonised_outcome), ';' order by code)
        from {{ ref('request_rows') }})
    || '|' ||
    (select string_agg(concat_ws(',', item, measure, in_2019, in_2021), ';' order by item, measure)
        from {{ ref('proactive_grid') }})
) as dictionary_hash
