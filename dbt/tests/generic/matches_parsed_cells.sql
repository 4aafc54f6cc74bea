{#- Guards against the pipeline losing or duplicating cells between the parse and the marts:
    for every report, the rows of the model that stand for printed cells are exactly the
    cells the current parse holds for that table, in number and in sum. An error, because
    then the warehouse no longer says what the report printed. -#}
{% test matches_parsed_cells(model, table_name, printed_condition='true') %}
    with reports as (
        select report_id, sha256, parser_version
        from {{ ref('int_reports_office_resolved') }}
        {%- if config.get('where') == 'this_build' %}
        where {{ built_in_this_run() }}
        {%- endif %}
    ),

    parsed as (
        select reports.report_id, counted.cells, counted.value_sum
        from {{ ref('int_parse_tables_counted') }} as counted
        join reports
            on reports.sha256 = counted.sha256
            and reports.parser_version = counted.parser_version
        where counted.table_name = '{{ table_name }}'
    ),

    loaded as (
        select report_id, count(*) as cells, sum(value) as value_sum
        from {{ model }}
        where {{ printed_condition }}
        group by report_id
    )

    select
        coalesce(parsed.report_id, loaded.report_id) as report_id,
        parsed.cells as parsed_cells,
        loaded.cells as loaded_cells,
        parsed.value_sum as parsed_sum,
        loaded.value_sum as loaded_sum
    from parsed
    full outer join loaded using (report_id)
    where parsed.cells is distinct from loaded.cells
        or parsed.value_sum is distinct from loaded.value_sum
{% endtest %}
