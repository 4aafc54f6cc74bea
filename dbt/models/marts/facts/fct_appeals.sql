-- Table 四 of the current version of every report: one row per proceeding and result. The
-- 2019 and 2021 templates print the same table, so the codes need no mapping.
{% call current_version_facts(
    'appeals',
    ['cells.row_code as proceeding', 'cells.column_code as result', 'cast(cells.value as bigint) as value',
     'cells.raw_text as raw']
) %}
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'appeals'
{% endcall %}
