{#- Guards the promise of office_year_summary's rates: every row has either the rate or the
    reason it is withheld, never both and never neither, so a NULL is never left unexplained
    and a rate never stands beside a doubt. -#}
{% test rate_has_reason_when_null(model, column_name, reason_column) %}
    select *
    from {{ model }}
    where ({{ column_name }} is null) = ({{ reason_column }} is null)
{% endtest %}
