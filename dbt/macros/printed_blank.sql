{#- A cell the table printed with no number in it: empty, or a dash or slash standing in for
    one. The parser reads these as 0 and keeps the raw text; a rate must not divide by a 0
    that was never printed (docs: rate_reasons). 无 ("none") is a printed answer, not a blank. -#}
{% macro printed_blank(raw) -%}
    ({{ raw }} is null or regexp_matches(trim({{ raw }}), '^[-—–―/／－\s]*$'))
{%- endmacro %}
