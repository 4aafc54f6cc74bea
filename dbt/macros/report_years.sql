{#- The span of report years the warehouse covers (office_year_summary, publication_coverage).
    last_report_year defaults to last year: a year's reports are all due by 31 March of the
    next one, and pinning it (--vars) keeps tests and benchmarks independent of the clock. -#}
{% macro first_report_year() -%}
    {{ var('first_report_year', 2008) | int }}
{%- endmacro %}

{% macro last_report_year() -%}
    {{ var('last_report_year', modules.datetime.date.today().year - 1) | int }}
{%- endmacro %}

{#- Every office of `offices` (dim_office's columns) the registry holds, once for every report
    year it existed in: valid on 31 December of that year. -#}
{% macro registry_office_years(offices) -%}
    select {{ offices }}.*, years.year
    from {{ offices }}
    cross join (
        select cast(range as integer) as year
        from range({{ first_report_year() }}, {{ last_report_year() }} + 1)
    ) as years
    where {{ offices }}.is_registered
        and ({{ offices }}.valid_from is null or {{ offices }}.valid_from <= make_date(years.year, 12, 31))
        and ({{ offices }}.valid_to is null or {{ offices }}.valid_to > make_date(years.year, 12, 31))
{%- endmacro %}
