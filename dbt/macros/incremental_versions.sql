{#- Incremental models keyed by report version (models/marts/facts, configured in
    dbt_project.yml) or by parse (models/intermediate/per_parse).

    A model keyed by report version holds rows of the current version of each report only, each row
    carrying the version_key of int_reports_office_resolved. A run builds the reports whose
    version_key the model does not hold yet (new reports, new versions, new parses, a changed
    office match or dictionary), then deletes the rows of every key that is no longer
    current. That delete also empties a report whose new version has no rows at all, which a
    delete+insert on the new rows alone would miss; so an incremental run ends with exactly
    the rows a full refresh builds. -#}

{#- The reports whose current version has cells of one of `table_names` (raw.cells'
    tables) and is not in this model yet. Reports with no such cells are left out here, so
    that a run with nothing new never reads the cells. -#}
{% macro reports_to_build(table_names) -%}
    {%- if table_names is string %}{% set table_names = [table_names] %}{% endif -%}
    select reports.*
    from {{ ref('int_reports_office_resolved') }} as reports
    semi join {{ ref('int_parse_tables_counted') }} as parsed
        on parsed.sha256 = reports.sha256
        and parsed.parser_version = reports.parser_version
        and parsed.table_name in ('{{ table_names | join("', '") }}')
    {%- if is_incremental() %}
    anti join (select distinct version_key from {{ this }}) as built
        on built.version_key = reports.version_key
    {%- endif %}
{%- endmacro %}

{% macro delete_superseded_versions() -%}
    delete from {{ this }}
    where version_key not in (select version_key from {{ ref('int_reports_office_resolved') }})
{%- endmacro %}

{#- The same for models keyed by parse (every parse, history included): the parses with
    cells of one of `table_names` (and meeting `condition` on int_parse_tables_counted)
    whose parse_key (the parse, re-parses included, and the dictionaries) this model does
    not hold yet. -#}
{% macro parses_to_build(table_names, condition='true') -%}
    {%- if table_names is string %}{% set table_names = [table_names] %}{% endif -%}
    select parses.* exclude (parse_key), {{ current_parse_key('parses') }} as parse_key
    from {{ ref('stg_raw__parses') }} as parses
    cross join {{ ref('int_dictionaries_hashed') }} as dictionaries
    semi join {{ ref('int_parse_tables_counted') }} as parsed
        on parsed.sha256 = parses.sha256
        and parsed.parser_version = parses.parser_version
        and parsed.table_name in ('{{ table_names | join("', '") }}')
        and {{ condition }}
    {%- if is_incremental() %}
    where {{ current_parse_key('parses') }} not in (select distinct parse_key from {{ this }})
    {%- endif %}
{%- endmacro %}

{% macro current_parse_key(parses) -%}
    md5({{ parses }}.parse_key || dictionaries.dictionary_hash)
{%- endmacro %}

{% macro delete_superseded_parses() -%}
    delete from {{ this }}
    where parse_key not in (
        select {{ current_parse_key('parses') }}
        from {{ ref('stg_raw__parses') }} as parses
        cross join {{ ref('int_dictionaries_hashed') }} as dictionaries
    )
{%- endmacro %}

{#- The cells of the parses in `parses` (a relation or CTE with sha256 and parser_version),
    of one table or all. -#}
{% macro cells_of(parses, table_name=none) -%}
    select cells.*
    from {{ ref('stg_raw__cells') }} as cells
    semi join {{ parses }}
        on {{ parses }}.sha256 = cells.sha256
        and {{ parses }}.parser_version = cells.parser_version
    {%- if table_name %}
    where cells.table_name = '{{ table_name }}'
    {%- endif %}
{%- endmacro %}
