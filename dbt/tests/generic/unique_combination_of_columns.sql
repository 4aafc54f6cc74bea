{#- Guards against a cell counted twice: no two rows share the key. Groups on a hash of the
    key (one pass that stays fast on millions of rows), then names the duplicated keys
    themselves, so a hash collision can never be reported as a duplicate. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set key = combination_of_columns | join(', ') -%}
    with duplicated_hashes as (
        select hash({{ key }}) as key_hash
        from {{ model }}
        group by key_hash
        having count(*) > 1
    )

    select {{ key }}, count(*) as rows_with_this_key
    from {{ model }}
    where hash({{ key }}) in (select key_hash from duplicated_hashes)
    group by {{ key }}
    having count(*) > 1
{% endtest %}
