{#- Warns where （七）总计 of table 三 is not the sum of the outcome rows （一）–（六） in some
    column. A fault of the published table (kept as printed, listed in
    marts.qa_identity_violations), not of the pipeline. -#}
{% test outcome_rows_add_up(model) %}
    {{ config(severity='warn') }}
    select *
    from ({{ request_outcome_total_evaluations(model, ref('request_rows')) }}) as evaluations
    where not is_passed
{% endtest %}
