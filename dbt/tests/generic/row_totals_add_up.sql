{#- Warns where a printed 总计 is not the sum of its row's parts (table 三: the six applicant
    columns; table 四: the four results). The source is wrong, not the pipeline: the
    warehouse keeps what was published and lists the row in marts.qa_identity_violations. -#}
{% test row_totals_add_up(model, row_column, part_columns, identity, table_name) %}
    {{ config(severity='warn') }}
    select *
    from ({{ row_total_evaluations(model, row_column, part_columns, identity, table_name, 'sum of the parts') }})
        as evaluations
    where not is_passed
{% endtest %}
