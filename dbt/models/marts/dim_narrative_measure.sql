-- The measures 2008–2018 reports state (fct_narrative.measure), with Chinese and English
-- labels and how each compares with the 2019+ tables: the seed's words, as a mart, so that a
-- reader of the release (who has no seeds) can tell what a pre-2019 figure counts.
select
    code as measure,
    label_zh,
    label_en,
    summary_column,
    comparable_2019_outcome,
    comparability,
    comparability_note
from {{ ref('narrative_measures') }}
