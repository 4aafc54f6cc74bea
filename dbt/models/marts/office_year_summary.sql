-- One row per office and year from 2008: the year's requests, their outcomes, and the
-- reviews and lawsuits, from the office's primary report. From 2019 the figures come from
-- the standard tables (the total column of table 三, the totals of table 四); before, from
-- what the report states (fct_narrative), mapped by seeds/narrative_measures.csv. Which
-- of the two is in figures_source; how far the eras compare is in the docs
-- (pre2019_comparability). Offices of the registry get a row for every year they existed,
-- with or without a report.
{%- set stated = ['received', 'processed', 'granted', 'partially_granted', 'denied', 'unable',
                  'reviews', 'lawsuits'] %}

with offices as (
    select * from {{ ref('dim_office') }}
),

reports as (
    select * from {{ ref('dim_report') }}
    where is_primary
),

years as (
    select cast(range as integer) as year
    from range({{ first_report_year() }}, {{ last_report_year() }} + 1)
),

registered_years as (
    select offices.office_id, years.year
    from offices
    cross join years
    where offices.is_registered
        and (offices.valid_from is null or offices.valid_from <= make_date(years.year, 12, 31))
        and (offices.valid_to is null or offices.valid_to > make_date(years.year, 12, 31))
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

request_rows as (
    select * from {{ ref('request_rows') }}
),

-- table 三, total column, by category. A table prints either （六） as one row or its
-- sub-rows, never both, so the printed rows of a category add up to it.
request_figures as (
    select
        pivoted.report_id,
        sum(pivoted.total) filter (where request_rows.category = 'received') as received,
        sum(pivoted.total) filter (where request_rows.category = 'carried_over') as carried_over,
        sum(pivoted.total) filter (where request_rows.category = 'processed_total') as processed,
        sum(pivoted.total) filter (where request_rows.category = 'granted') as granted,
        sum(pivoted.total) filter (where request_rows.category = 'partially_granted') as partially_granted,
        sum(pivoted.total) filter (where request_rows.category = 'denied') as denied,
        sum(pivoted.total) filter (where request_rows.category = 'unable') as unable,
        sum(pivoted.total) filter (where request_rows.category = 'not_processed') as not_processed,
        sum(pivoted.total) filter (where request_rows.category = 'other') as other,
        sum(pivoted.total) filter (where request_rows.category = 'carried_forward') as carried_forward
    from {{ ref('int_request_rows_pivoted') }} as pivoted
    join request_rows on request_rows.code = pivoted.row_code
    group by pivoted.report_id
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
        statement_figures.* exclude (report_id)
    from office_years
    left join reports
        on reports.office_id = office_years.office_id
        and reports.year = office_years.year
    left join request_figures on request_figures.report_id = reports.report_id
    left join appeal_figures on appeal_figures.report_id = reports.report_id
    left join statement_figures on statement_figures.report_id = reports.report_id
)

select
    -- who and when
    combined.office_id,
    offices.district,
    offices.district_code,
    offices.office_name,
    offices.office_type,
    combined.year,
    case when combined.year < 2019 then 'pre2019' else 'since2019' end as era,

    -- the report the figures come from
    combined.report_id,
    coalesce(combined.reports_in_office_year, 0) as reports_found,
    combined.template,
    combined.status,
    combined.figures_source,

    -- figures: table 三 total column and table 四 totals, or the pre-2019 statements
    {%- for figure in ['received', 'carried_over', 'processed', 'granted', 'partially_granted', 'denied',
                       'unable', 'not_processed', 'other', 'carried_forward', 'reviews', 'reviews_corrected',
                       'lawsuits', 'lawsuits_corrected', 'proactive_items'] %}
    {%- if figure in stated %}
    cast(case when combined.from_tables then combined.{{ figure }} else combined.stated_{{ figure }} end as bigint)
        as {{ figure }},
    {%- else %}
    cast(combined.{{ figure }} as bigint) as {{ figure }},
    {%- endif %}
    {%- endfor %}
    coalesce(combined.has_approximate, false) as has_approximate_figures,

    -- quality
    combined.identity_violations,

    -- rates
    round(
        (case when combined.from_tables then combined.granted else combined.stated_granted end)
        / nullif(case when combined.from_tables then combined.processed else combined.stated_processed end, 0),
        4
    ) as grant_rate,
    round(combined.reviews_corrected / nullif(combined.reviews_concluded, 0), 4) as review_correction_rate,
    round(combined.lawsuits_corrected / nullif(combined.lawsuits_concluded, 0), 4) as lawsuit_correction_rate
from combined
join offices using (office_id)
