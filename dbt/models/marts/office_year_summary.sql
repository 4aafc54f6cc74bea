-- One row per office and year from 2008: the year's requests, their outcomes, and the
-- reviews and lawsuits, from the office's primary report. From 2019 the figures come from
-- the standard tables (the total column of table 三, the totals of table 四); before, from
-- what the report states (fct_narrative), mapped by seeds/narrative_measures.csv. Which
-- of the two is in figures_source; how far the eras compare is in the docs
-- (pre2019_comparability). Offices of the registry get a row for every year they existed,
-- with or without a report. Rates are NULL with a reason where their inputs are doubtful
-- (docs: rate_reasons).
{%- set stated = ['received', 'processed', 'granted', 'partially_granted', 'denied', 'unable',
                  'reviews', 'lawsuits'] %}

with offices as (
    select * from {{ ref('dim_office') }}
),

reports as (
    select * from {{ ref('dim_report') }}
    where is_primary
),

registered_years as (
    select office_id, year from ({{ registry_office_years('offices') }})
),

reported_years as (
    select office_id, year
    from reports
    where year between {{ first_report_year() }} and {{ last_report_year() }}
),

office_years as (
    select * from registered_years
    union
    select * from reported_years
),

-- table 三, total column, by category. A table prints either （六） as one row or its
-- sub-rows, never both, so the printed rows of a category add up to it.
request_figures as (
    select
        report_id,
        {%- for category in ['received', 'carried_over', 'processed_total', 'granted', 'partially_granted',
                             'denied', 'unable', 'not_processed', 'other', 'carried_forward'] %}
        sum(value) filter (where applicant_type = 'total' and outcome_category = '{{ category }}')
            as {{ 'processed' if category == 'processed_total' else category }},
        {%- endfor %}
    from {{ ref('fct_requests') }}
    where not is_derived
    group by report_id
),

appeal_figures as (
    select
        report_id,
        sum(value) filter (where proceeding = 'review' and result = 'total') as reviews,
        sum(value) filter (where proceeding = 'review' and result = 'corrected') as reviews_corrected,
        sum(value) filter (where proceeding = 'review' and result in ('upheld', 'corrected', 'other'))
            as reviews_concluded,
        sum(value) filter (where proceeding <> 'review' and result = 'total') as lawsuits,
        sum(value) filter (where proceeding <> 'review' and result = 'corrected') as lawsuits_corrected,
        sum(value) filter (where proceeding <> 'review' and result in ('upheld', 'corrected', 'other'))
            as lawsuits_concluded
    from {{ ref('fct_appeals') }}
    group by report_id
),

narrative_measures as (
    select * from {{ ref('narrative_measures') }}
),

statement_figures as (
    select
        statements.report_id,
        sum(statements.value) filter (where narrative_measures.summary_column = 'received') as stated_received,
        sum(statements.value) filter (where narrative_measures.summary_column = 'processed') as stated_processed,
        sum(statements.value) filter (where narrative_measures.summary_column = 'granted') as stated_granted,
        sum(statements.value) filter (where narrative_measures.summary_column = 'partially_granted')
            as stated_partially_granted,
        sum(statements.value) filter (where narrative_measures.summary_column = 'denied') as stated_denied,
        sum(statements.value) filter (where narrative_measures.summary_column = 'unable') as stated_unable,
        sum(statements.value) filter (where narrative_measures.summary_column = 'reviews') as stated_reviews,
        sum(statements.value) filter (where narrative_measures.summary_column = 'lawsuits') as stated_lawsuits,
        sum(statements.value) filter (where narrative_measures.summary_column = 'proactive_items')
            as proactive_items,
        bool_or(statements.approximate) as has_approximate
    from {{ ref('fct_narrative') }} as statements
    join narrative_measures on narrative_measures.code = statements.measure
    group by statements.report_id
),

-- What makes a rate's inputs doubtful (docs: rate_reasons): an identity the report breaks
-- on the rows the rate divides, and, more specific, a 总计 printed blank on such a row while
-- its parts are not (a blank that hides a number, not a blank that means 0).
violations as (
    select * from {{ ref('qa_identity_violations') }}
    where severity = 'strict'
),

identity_doubts as (
    select
        report_id,
        true as any_broken,
        bool_or(
            table_name = 'requests'
            and ((identity in ('requests_row_total', 'requests_non_negative') and row_code in ('granted', 'processed_total'))
                 or (identity = 'requests_outcome_total' and column_code = 'total'))
        ) as grant_broken,
        bool_or(table_name = 'appeals' and row_code = 'review') as review_broken,
        bool_or(table_name = 'appeals' and row_code like 'litigation%') as lawsuit_broken
    from violations
    group by report_id
),

blank_totals as (
    select distinct totals.report_id
    from {{ ref('fct_requests') }} as totals
    join violations
        on violations.report_id = totals.report_id
        and violations.identity = 'requests_row_total'
        and violations.row_code = totals.outcome
    where totals.applicant_type = 'total'
        and totals.outcome in ('granted', 'processed_total')
        and not totals.is_derived
        and {{ printed_blank('totals.raw') }}
),

combined as (
    select
        office_years.office_id,
        office_years.year,
        reports.report_id,
        reports.reports_in_office_year,
        reports.template,
        reports.status,
        reports.identity_violations,
        case
            when reports.report_id is null then 'no_report'
            when request_figures.report_id is not null or appeal_figures.report_id is not null
                then 'standard_tables'
            when statement_figures.report_id is not null then 'pre2019_statement'
            else 'no_figures'
        end as figures_source,
        request_figures.report_id is not null or appeal_figures.report_id is not null as from_tables,
        request_figures.*  exclude (report_id),
        appeal_figures.* exclude (report_id),
        statement_figures.* exclude (report_id),
        coalesce(identity_doubts.any_broken, false) as any_identity_broken,
        coalesce(identity_doubts.grant_broken, false) as grant_identity_broken,
        coalesce(identity_doubts.review_broken, false) as review_identity_broken,
        coalesce(identity_doubts.lawsuit_broken, false) as lawsuit_identity_broken,
        blank_totals.report_id is not null as grant_total_blank
    from office_years
    left join reports
        on reports.office_id = office_years.office_id
        and reports.year = office_years.year
    left join request_figures on request_figures.report_id = reports.report_id
    left join appeal_figures on appeal_figures.report_id = reports.report_id
    left join statement_figures on statement_figures.report_id = reports.report_id
    left join identity_doubts on identity_doubts.report_id = reports.report_id
    left join blank_totals on blank_totals.report_id = reports.report_id
),

figures as (
    select
        *,
        {%- for figure in stated %}
        case when from_tables then {{ figure }} else stated_{{ figure }} end as final_{{ figure }},
        {%- endfor %}
        coalesce(has_approximate, false) as is_approximate
    from combined
),

-- Why each rate is NULL, in order of precedence; NULL reason = the rate is computed.
assessed as (
    select
        *,
        case
            when figures_source = 'no_report' then 'no_report'
            when figures_source = 'no_figures' then 'no_figures'
            when final_granted is null or final_processed is null
                then case when from_tables then 'not_read' else 'not_stated' end
            when grant_total_blank then 'blank_total'
            when grant_identity_broken then 'identity_broken'
            when status = 'partial' then 'partial_parse'
            when is_approximate then 'approximate'
            when final_processed = 0 then 'nothing_processed'
        end as grant_rate_reason,
        {%- for proceeding, label in [('review', 'reviews'), ('lawsuit', 'lawsuits')] %}
        case
            when figures_source = 'no_report' then 'no_report'
            when figures_source = 'no_figures' then 'no_figures'
            when not from_tables then 'not_stated'
            when {{ label }}_concluded is null or {{ label }}_corrected is null then 'not_read'
            when {{ proceeding }}_identity_broken then 'identity_broken'
            when status = 'partial' then 'partial_parse'
            when {{ label }}_concluded = 0 then 'nothing_concluded'
        end as {{ proceeding }}_correction_rate_reason{{ ',' if not loop.last }}
        {%- endfor %}
    from figures
)

select
    -- who and when
    assessed.office_id,
    offices.district,
    offices.district_code,
    offices.office_name,
    offices.office_type,
    assessed.year,
    case when assessed.year < 2019 then 'pre2019' else 'since2019' end as era,

    -- the report the figures come from
    assessed.report_id,
    coalesce(assessed.reports_in_office_year, 0) as reports_found,
    assessed.template,
    assessed.status,
    assessed.figures_source,

    -- figures: table 三 total column and table 四 totals, or the pre-2019 statements
    {%- for figure in ['received', 'carried_over', 'processed', 'granted', 'partially_granted', 'denied',
                       'unable', 'not_processed', 'other', 'carried_forward', 'reviews', 'reviews_corrected',
                       'lawsuits', 'lawsuits_corrected', 'proactive_items'] %}
    {%- if figure in stated %}
    cast(assessed.final_{{ figure }} as bigint) as {{ figure }},
    {%- else %}
    cast(assessed.{{ figure }} as bigint) as {{ figure }},
    {%- endif %}
    {%- endfor %}
    assessed.is_approximate as has_approximate_figures,

    -- quality
    assessed.identity_violations,
    case
        when assessed.figures_source in ('no_report', 'no_figures') then assessed.figures_source
        when assessed.any_identity_broken then 'identities_broken'
        when assessed.status = 'partial' then 'partial'
        when assessed.is_approximate then 'approximate'
        else 'sound'
    end as figures_quality,

    -- rates: NULL where their inputs are doubtful, with the reason beside
    case when assessed.grant_rate_reason is null
        then round(assessed.final_granted / assessed.final_processed, 4) end as grant_rate,
    assessed.grant_rate_reason,
    case when assessed.review_correction_rate_reason is null
        then round(assessed.reviews_corrected / assessed.reviews_concluded, 4) end as review_correction_rate,
    assessed.review_correction_rate_reason,
    case when assessed.lawsuit_correction_rate_reason is null
        then round(assessed.lawsuits_corrected / assessed.lawsuits_concluded, 4) end as lawsuit_correction_rate,
    assessed.lawsuit_correction_rate_reason
from assessed
join offices using (office_id)
