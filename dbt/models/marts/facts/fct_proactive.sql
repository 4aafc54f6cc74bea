-- Table 二 of the current version of every report on the one item × measure list, with NULL
-- where the report's template has no such cell.
{% call current_version_facts(
    'proactive',
    ['cells.item', 'cells.measure', 'cells.value', 'cells.unit', 'cells.amount_wan_yuan', 'cells.raw_text as raw',
     'cells.in_template', 'cells.is_printed'],
    ['reports.template']
) %}
    select * from {{ ref('int_proactive_harmonised') }}
{% endcall %}
