{#- Office names, made comparable between a report's own text and the office registry.
    These follow scrapers/crawl/titles.py (normalise_office) and scrapers/crawl/offices.py
    (office_type_of, local stems), so that the crawl and the warehouse match names the same
    way; change them together. -#}

{#- Whitespace, the brackets a CMS wraps around a name and the city prefix, removed. -#}
{% macro clean_office_name(name) -%}
    regexp_replace(
        trim(
            regexp_replace({{ name }}, '[\s\x{3000}\x{a0}]+', '', 'g'),
            '《》「」“”"''·-—_|，,：:（）()'
        ),
        '^北京市', ''
    )
{%- endmacro %}

{#- A cleaned name without its district prefix, and without the 人民政府/政府 that
    follows the district in "北京市朝阳区人民政府香河园街道办事处". -#}
{% macro strip_government_title(name) -%}
    regexp_replace({{ name }}, '^(人民政府|政府)', '')
{%- endmacro %}

{#- The comparable form of a name from strip_government_title (a column: it is read
    several times): 街道办事处 → 街道, 地区办事处 → 地区, 镇/乡(人民)政府 → 镇/乡, the
    district government itself → 区人民政府 (县人民政府 in 密云/延庆 before they became
    districts in 2015); a 筹备处 keeps its full name because it is a different body from the
    office it prepared. -#}
{% macro office_name_key(n, printed_district) -%}
    case
        when {{ n }} like '%筹备处' then {{ n }}
        when {{ n }} in ('', '区', '区政府', '县政府', '区人民政府', '县人民政府')
            then case
                when coalesce({{ printed_district }}, '') like '%县' or {{ n }} like '县%' then '县人民政府'
                else '区人民政府'
            end
        when {{ n }} like '%街道办事处' then regexp_replace({{ n }}, '街道办事处$', '街道')
        when {{ n }} like '%地区办事处' then regexp_replace({{ n }}, '地区办事处$', '地区')
        when {{ n }} like '%办事处' then regexp_replace({{ n }}, '办事处$', '')
        when regexp_matches({{ n }}, '.[镇乡](人民)?政府$') then regexp_replace({{ n }}, '([镇乡])(人民)?政府$', '\1')
        else {{ n }}
    end
{%- endmacro %}

{#- 街道, 地区 and 乡 name the same local body in different reports (朝阳's 地区办事处 is also
    its 乡人民政府; 石景山 writes 鲁谷社区 for 鲁谷街道): the name without that suffix. -#}
{% macro office_name_stem(key) -%}
    regexp_replace({{ key }}, '(街道|地区|社区|镇|乡)$', '')
{%- endmacro %}

{#- The kind of office a comparable name denotes, for offices the registry lacks. -#}
{% macro office_type_of(key) -%}
    case
        when {{ key }} like '%人民政府' and length({{ key }}) <= 5 then 'district_government'
        when regexp_matches({{ key }}, '(街道|社区|筹备处)$') then 'subdistrict'
        when regexp_matches({{ key }}, '(镇|乡|地区)$') then 'town'
        else 'department'
    end
{%- endmacro %}
