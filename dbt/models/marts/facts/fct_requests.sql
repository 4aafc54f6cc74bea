-- Table 三 of the current version of every report: one row per applicant type and outcome
-- row, as printed, plus the derived `other` of a table that prints （六）1–3.
{% call current_version_facts(
    'requests',
    ['cells.applicant_type', 'cells.outcome', 'cells.value', 'cells.raw_text as raw'],
    ['cells.outcome_category', 'cells.is_derived']
) %}
    -- the category too, for grouping without a join
    select cells.*, request_rows.category as outcome_category
    from {{ ref('int_requests_harmonised') }} as cells
    left join {{ ref('request_rows') }} as request_rows on request_rows.code = cells.outcome
{% endcall %}
