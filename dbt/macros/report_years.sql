{#- The span of report years the warehouse covers (office_year_summary, publication_coverage).
    last_report_year defaults to last year: a year's reports are all due by 31 March of the
    next one, and pinning it (--vars) keeps tests and benchmarks independent of the clock. -#}
{% macro first_report_year() -%}
    {{ var('first_report_year', 2008) | int }}
{%- endmacro %}

{% macro last_report_year() -%}
    {{ var('last_report_year', modules.datetime.date.today().year - 1) | int }}
{%- endmacro %}
