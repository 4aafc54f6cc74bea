{#- Incremental models keyed by report version.

    A model built this way holds rows of the current version of each report only, each row
    carrying the version_key of int_reports_office_resolved. A run builds the reports whose
    version_key the model does not hold yet (new reports, new versions, new parses, a changed
    office match or dictionary), then deletes the rows of every key that is no longer
    current. That delete also empties a report whose new version has no rows at all, which a
    delete+insert on the new rows alone would miss; so an incremental run ends with exactly
    the rows a full refresh builds. -#}

{% macro reports_to_build(reports) -%}
    select * from {{ reports }}
    {%- if is_incremental() %}
    anti join (select distinct version_key from {{ this }}) as built using (version_key)
    {%- endif %}
{%- endmacro %}

{% macro delete_superseded_versions(reports) -%}
    delete from {{ this }}
    where version_key not in (select version_key from {{ reports }})
{%- endmacro %}
