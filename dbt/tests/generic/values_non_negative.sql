{#- Warns where a printed count is negative: table 三 and 四 count requests and cases. A
    fault of the source or of a reading the parser could not avoid; kept, and listed in
    marts.qa_identity_violations. -#}
{% test values_non_negative(model, row_column, columns, table_name) %}
    {{ config(severity='warn') }}
    select *
    from ({{ non_negative_evaluations(model, row_column, columns, table_name) }}) as evaluations
    where not is_passed
{% endtest %}
