{#- Guards a table's key: every row has all its key columns, and no two rows share them (a
    cell counted twice, a report listed twice). One test where unique and not_null would be
    two nodes per column: the row count is first compared with the number of distinct key
    hashes (one fast pass over millions of rows); only when they differ are the duplicated
    keys themselves grouped, so a hash collision is never reported as a duplicate.
    Columns named in `nullable` may be NULL (a key part that does not apply to every row). -#}
{% test primary_key(model, columns, nullable=[]) %}
    {%- set required = columns | reject('in', nullable) | list -%}
    {%- set key = columns | join(', ') -%}
    with counts as (
        select count(*) - count(distinct hash({{ key }})) as surplus_rows
        from {{ model }}
    ),

    incomplete as (
        select {{ key }}, count(*) as rows_with_this_key, 'a key column is null' as problem
        from {{ model }}
        where {% for column in required %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
        group by {{ key }}
    ),

    duplicated as (
        select {{ key }}, count(*) as rows_with_this_key, 'the key is not unique' as problem
        from {{ model }}
        cross join counts
        where counts.surplus_rows > 0
        group by {{ key }}
        having count(*) > 1
    )

    select * from incomplete
    union all
    select * from duplicated
{% endtest %}
