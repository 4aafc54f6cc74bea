{#- The tests of the incremental facts read only the reports this `dbt build` (re)built: the
    rows of the other reports were tested by the build that wrote them and have not changed
    since (their version_key is the same), so a build with nothing new tests almost nothing
    and a full refresh tests everything. `dbt test` alone tests every row.

    int_reports_office_resolved stamps each row it (re)builds with the invocation; the
    relation is looked up in the graph, not ref'd, because a test's filter is rendered at run
    time. -#}
{% macro built_in_this_run(report_id='report_id') -%}
    {%- if flags.WHICH == 'build' -%}
        {%- set node = graph.nodes['model.xxgk.int_reports_office_resolved'] -%}
        {%- set reports = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {{ report_id }} in (select report_id from {{ reports }} where invocation_id = '{{ invocation_id }}')
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- dbt's filter of a test's model (the `where` config), with one filter of our own: `where:
    this_build` stands for built_in_this_run(). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == 'this_build' -%}
        {%- set where = built_in_this_run() -%}
    {%- endif -%}
    {%- if where -%}
        (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
