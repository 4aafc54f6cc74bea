{#- Guards against a cell counted twice: no two rows share the key. It first compares the
    row count with the number of distinct key hashes (one fast pass over millions of rows),
    and only when they differ groups on the key itself, so a hash collision can never be
    reported as a duplicate and a clean table costs one pass. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set key = combination_of_columns | join(', ') -%}
    with counts as (
        select count(*) - count(distinct hash({{ key }})) as surplus_rows
        from {{ model }}
    )

    select {{ key }}, count(*) as rows_with_this_key
    from {{ model }}
    cross join counts
    where counts.surplus_rows > 0
    group by {{ key }}
    having count(*) > 1
{% endtest %}
