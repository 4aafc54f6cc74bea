-- Every row of a fact belongs to the current version of its report (the post-hook of the
-- incremental models deletes superseded ones): otherwise an old version would be counted
-- beside the new one.
{%- set models = ['fct_requests', 'fct_appeals', 'fct_proactive', 'fct_narrative'] %}
with current_versions as (
    select report_id, version_key from {{ ref('int_reports_office_resolved') }}
)

{% for model in models %}
select '{{ model }}' as model, built.report_id, built.version_key
from (select distinct report_id, version_key from {{ ref(model) }}) as built
anti join current_versions using (report_id, version_key)
{%- if not loop.last %}
union all
{%- endif %}
{% endfor %}
