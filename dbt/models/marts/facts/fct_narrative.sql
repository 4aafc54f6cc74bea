-- The statistics pre-2019 reports state in sentences (and their 统计表 rows, which the parser
-- maps onto the same measures), one row per stated measure of the current version of every
-- report.
{% call current_version_facts(
    'narrative',
    ['cells.row_code as measure', 'cells.value', 'cells.raw_text as raw', 'cells.is_approximate as approximate']
) %}
    select * from {{ ref('stg_raw__cells') }}
    where table_name = 'narrative'
{% endcall %}
