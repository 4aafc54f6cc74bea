{#- The arithmetic identities (勾稽关系) of the templates, as queries over the pivoted tables
    (int_request_rows_pivoted, int_appeal_rows_pivoted). Each returns one row per evaluation:
    report_id, identity, table_name, row_code, column_code, left_side, right_side,
    left_value, right_value, is_passed. int_identities_checked keeps them all; the generic
    tests in tests/generic/ return the failing ones. An identity is evaluated only where all
    its cells were read: a cell the parser did not find is not a 0. -#}

{#- The applicant columns of table 三 and the result columns of table 四: canonical codes
    (issue 3); tests/assert_pivot_columns_match_seeds.sql keeps them equal to the seeds. -#}
{% macro applicant_part_columns() -%}
    {{ return(['natural_person', 'commercial_enterprise', 'research_institution',
               'social_welfare_org', 'legal_service_org', 'other_org']) }}
{%- endmacro %}

{% macro appeal_part_columns() -%}
    {{ return(['upheld', 'corrected', 'other', 'pending']) }}
{%- endmacro %}

{#- 1. Row total: 总计 = the sum of its parts (table 三: six applicant columns; table 四:
    four results), in every row. -#}
{% macro row_total_evaluations(relation, row_column, part_columns, identity, table_name, right_side) -%}
    select
        report_id,
        '{{ identity }}' as identity,
        '{{ table_name }}' as table_name,
        {{ row_column }} as row_code,
        'total' as column_code,
        '总计' as left_side,
        '{{ right_side }}' as right_side,
        cast(total as decimal(20, 4)) as left_value,
        cast({{ part_columns | join(' + ') }} as decimal(20, 4)) as right_value,
        total = {{ part_columns | join(' + ') }} as is_passed
    from {{ relation }}
    where total is not null
        {%- for column in part_columns %}
        and {{ column }} is not null
        {%- endfor %}
{%- endmacro %}

{#- 2. Outcome total: （七）总计 = the sum of the outcome rows, in every column. The outcome
    rows are those request_rows calls outcome: the 18 of （一）–（五） and either （六） as one
    row or its sub-rows, whichever the table prints. -#}
{% macro request_outcome_total_evaluations(relation, request_rows) -%}
    {%- set columns = applicant_part_columns() + ['total'] -%}
    with dictionary as (
        select
            count(*) filter (where role = 'outcome' and harmonised_outcome = code and category <> 'other')
                as common_rows,
            count(*) filter (where role = 'outcome' and harmonised_outcome <> code) as sub_rows
        from {{ request_rows }}
    ),

    rows as (
        select
            pivoted.*,
            request_rows.role,
            request_rows.category,
            request_rows.harmonised_outcome <> request_rows.code as is_sub_row,
            request_rows.category = 'other' and request_rows.harmonised_outcome = request_rows.code
                as is_one_row_other
        from {{ relation }} as pivoted
        join {{ request_rows }} as request_rows on request_rows.code = pivoted.row_code
    ),

    per_column as (
        {%- for column in columns %}
        select
            report_id,
            '{{ column }}' as column_code,
            max({{ column }}) filter (where row_code = 'processed_total') as total_value,
            count({{ column }}) filter (where row_code = 'processed_total') as total_cells,
            sum({{ column }}) filter (where role = 'outcome') as outcome_sum,
            count({{ column }}) filter (where role = 'outcome' and not is_sub_row and not is_one_row_other)
                as common_cells,
            count({{ column }}) filter (where is_one_row_other) as one_row_cells,
            count({{ column }}) filter (where is_sub_row) as sub_row_cells
        from rows
        group by report_id
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select
        report_id,
        'requests_outcome_total' as identity,
        'requests' as table_name,
        'processed_total' as row_code,
        column_code,
        '（七）总计' as left_side,
        '（一）+（二）+（三）+（四）+（五）+（六）' as right_side,
        cast(total_value as decimal(20, 4)) as left_value,
        cast(outcome_sum as decimal(20, 4)) as right_value,
        total_value = outcome_sum as is_passed
    from per_column
    cross join dictionary
    where total_cells = 1
        and common_cells = dictionary.common_rows
        and (one_row_cells = 1 or sub_row_cells = dictionary.sub_rows)
{%- endmacro %}

{#- 3. The printed identity of table 三: 一 + 二 = （七）总计 + 四, in every column. -#}
{% macro request_balance_evaluations(relation) -%}
    {%- set columns = applicant_part_columns() + ['total'] -%}
    with per_column as (
        {%- for column in columns %}
        select
            report_id,
            '{{ column }}' as column_code,
            max({{ column }}) filter (where row_code = 'new_received') as new_received,
            max({{ column }}) filter (where row_code = 'carried_over') as carried_over,
            max({{ column }}) filter (where row_code = 'processed_total') as processed_total,
            max({{ column }}) filter (where row_code = 'carried_forward') as carried_forward
        from {{ relation }}
        group by report_id
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select
        report_id,
        'requests_balance' as identity,
        'requests' as table_name,
        cast(null as varchar) as row_code,
        column_code,
        '一、本年新收 + 二、上年结转' as left_side,
        '（七）总计 + 四、结转下年度' as right_side,
        cast(new_received + carried_over as decimal(20, 4)) as left_value,
        cast(processed_total + carried_forward as decimal(20, 4)) as right_value,
        new_received + carried_over = processed_total + carried_forward as is_passed
    from per_column
    where new_received is not null
        and carried_over is not null
        and processed_total is not null
        and carried_forward is not null
{%- endmacro %}

{#- 4. Every count is zero or more: one evaluation per row, on its smallest cell. -#}
{% macro non_negative_evaluations(relation, row_column, columns, table_name) -%}
    select
        report_id,
        '{{ table_name }}_non_negative' as identity,
        '{{ table_name }}' as table_name,
        {{ row_column }} as row_code,
        cast(null as varchar) as column_code,
        'smallest cell of the row' as left_side,
        '0' as right_side,
        cast(least({{ columns | join(', ') }}) as decimal(20, 4)) as left_value,
        cast(0 as decimal(20, 4)) as right_value,
        least({{ columns | join(', ') }}) >= 0 as is_passed
    from {{ relation }}
    where least({{ columns | join(', ') }}) is not null
{%- endmacro %}
