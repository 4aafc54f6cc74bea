-- Table 三 of the current version of every report: one row per applicant type and outcome
-- row, as printed, plus the derived `other` of a table that prints （六）1–3. Each printed cell
-- keeps its own row code; where a table prints sub-rows that the other template prints as one
-- row (2021's （六）1–3), the derived row of int_requests_rolled_up carries their sum under the
-- one-row code (`other`), so that `other` exists for both templates and the sub-rows stay at
-- their own grain.
{% call current_version_facts(
    'requests',
    ['cells.applicant_type', 'cells.outcome', 'cells.value', 'cells.raw_text as raw'],
    ['cells.outcome_category', 'cells.is_derived']
) %}
    with printed_and_derived as (
        select
            sha256,
            parser_version,
            column_code as applicant_type,
            row_code as outcome,
            cast(value as bigint) as value,
            raw_text,
            location,
            false as is_derived
        from {{ ref('stg_raw__cells') }}
        where table_name = 'requests'
        union all
        select
            sha256,
            parser_version,
            applicant_type,
            outcome,
            value,
            cast(null as varchar) as raw_text,
            location,
            true as is_derived
        from {{ ref('int_requests_rolled_up') }}
    )

    -- the category too, for grouping without a join
    select cells.*, request_rows.category as outcome_category
    from printed_and_derived as cells
    left join {{ ref('request_rows') }} as request_rows on request_rows.code = cells.outcome
{% endcall %}
