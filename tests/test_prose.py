"""Prose normalisation: one form for the patterns, the printed text for raw."""

from scrapers.parse.prose import fold_characters, headings, normalise, sentences


def test_full_width_and_traditional_fold_to_one_form_with_the_same_length():
    text = "共主動公開政府信息１２條（全文）：答覆"
    folded = fold_characters(text)
    assert folded == "共主动公开政府信息12条(全文):答复"
    assert len(folded) == len(text)


def test_spaces_beside_chinese_and_quotes_go_away():
    assert normalise("受理政府信息公开申请 21 件，“同意公开”的 3 件").text == "受理政府信息公开申请21件,同意公开的3件"


def test_wrapped_lines_join_and_headings_stay():
    text = "根据《条例》要求,2010年1月1日起我局开展本年度政府信息公开工作。为此,专门配备了1名兼职\n工作人员。\n二、主动公开情况\n本年度主动公开"
    prose = normalise(text)
    assert "1名兼职工作人员" in prose.text
    assert "\n二、主动公开情况\n" in prose.text


def test_page_number_lines_between_two_halves_of_a_sentence_go_away():
    prose = normalise("严格执行“分级审核、先审后发”程序,从严从实把好政治关、法律关,\n- 1 -\n级审核")
    assert "- 1 -" not in prose.text


def test_numbers_on_two_wrapped_lines_do_not_fuse():
    prose = normalise("本年度共受理政府信息公开申请共计为数众多的12\n3件")
    assert "12 3件" in prose.text


def test_source_gives_back_the_printed_text():
    text = "如有疑问，\r\n请联系：“石景山区司法\n局”办公室。"
    prose = normalise(text)
    start = prose.text.index("石景山")
    end = prose.text.index("办公室") + 3
    assert prose.source(start, end) == "石景山区司法\n局”办公室"
    assert prose.line_of(start) == 2


def test_sentences_cut_at_full_stops_semicolons_and_lines():
    prose = normalise("信息不存在1件;非本机关掌握1件。\n四、咨询情况")
    assert [prose.text[a:b] for a, b in sentences(prose)] == ["信息不存在1件;", "非本机关掌握1件。", "四、咨询情况"]


def test_a_number_alone_on_its_line_joins_its_sentence():
    prose = normalise("累计主动公开政府信息\n5928\n条,全文电子化率达\n90.3%\n,其中")
    assert "累计主动公开政府信息5928条,全文电子化率达90.3%,其中" in prose.text
    # a number after a full stop, or before a heading, stays on its line
    assert normalise("共12条。\n2010\n五、其他").text == "共12条。\n2010\n五、其他"
    assert normalise("主动公开政府信息共\n12\n二、依申请公开").text == "主动公开政府信息共12\n二、依申请公开"


def test_a_long_heading_stays_on_its_line():
    prose = normalise("四、因政府信息公开申请行政复议、提起行政诉讼的情况\n2017年未发生行政复议。")
    assert prose.text == "四、因政府信息公开申请行政复议、提起行政诉讼的情况\n2017年未发生行政复议。"
    # a numbered line with a comma is a sentence that wraps
    assert "\n" not in normalise("(一)政府信息公开的内容。2012年1月1日至12月31日,市政府办公室共\n发布各类主动公开信息96件。").text


def test_a_page_number_line_goes_whole_even_where_its_words_touch_spaces():
    # Regression: the page-number lines and the character deletions are found by two patterns;
    # the space inside "第2页 共3页" sits between Chinese characters and must not be cut twice
    text = "本年度共受理申请\n第2页 共3页\n12件,“全部公开”的 3件。"
    prose = normalise(text, join_lines=False)
    assert prose.text == "本年度共受理申请\n12件,全部公开的3件。"
    # every kept character still points at itself in the printed text
    assert all(text[prose.offsets[i]] == fold_characters(text)[prose.offsets[i]] for i in range(len(prose.text)))
    assert prose.source(prose.text.index("12"), len(prose.text)) == "12件,“全部公开”的 3件。"


def test_the_fold_table_learns_a_character_once_and_folds_it_the_same_after():
    first = fold_characters("國務院辦公廳：１２")
    assert fold_characters("國務院辦公廳：１２") == first == "国务院办公厅:12"


def test_fold_of_every_bmp_character_is_nfkc_then_simplified():
    import unicodedata

    from scrapers.seeds import read_seed

    singles = {r["traditional"]: r["simplified"] for r in read_seed("traditional_simplified") if len(r["traditional"]) == 1}
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    expected = []
    for ch in every:
        nfkc = unicodedata.normalize("NFKC", ch)
        nfkc = ch if len(nfkc) != 1 else nfkc
        expected.append(singles.get(nfkc, nfkc))
    assert fold_characters(every) == "".join(expected)
    # a character the fold changes but its class takes for stable would go unfolded in a text
    # of few kinds (the replacement path, which the whole-range text above does not take)
    missed = [ch for ch, want in zip(every, expected) if want != ch and fold_characters("中" + ch) != "中" + want]
    assert missed == []
    # and a text of only the common kinds, folded by replacement rather than in one pass
    assert fold_characters("國務院辦公廳，（１２）：“同意”　。") == "国务院办公厅,(12):“同意” 。"


def test_headings_are_short_numbered_lines_found_where_they_start():
    prose = normalise("总体情况。\n  二、主动公开情况 \n1.本年度主动公开政府信息的数量很多很多很多很多很多很多很多很多很多很多很多很多条\n(三)其他")
    found = headings(prose)
    assert [line for _, line in found] == ["二、主动公开情况", "(三)其他"]
    assert all(prose.text[pos:].lstrip().startswith(line) for pos, line in found)


def test_a_run_of_spaces_goes_whole_beside_chinese_and_stays_between_other_characters():
    # a grid's padded cells: the run beside 规章 goes, the runs between | and digits stay
    prose = normalise("|  规章      |    0    |\n|  a  b  |")
    assert prose.text == "|规章|    0    |\n|  a  b  |"
    # a quote between a Chinese character and a space is deleted after the spaces are judged:
    # the space stood beside the quote, not beside the Chinese character
    assert normalise("中” a").text == "中 a"
    assert normalise("中 ”a").text == "中a"


def test_offsets_are_worked_out_when_asked_and_point_at_the_printed_characters():
    text = "第1页 共2页\n主動公開 “信息”  12 條\r\n- 3 -\n共 5 件"
    prose = normalise(text)
    # the spaces after the closing quote stand beside a quote, not a Chinese character
    assert prose.text == "主动公开信息  12条\n共5件"
    assert [text[o] for o in prose.offsets] == list("主動公開信息  12條\n共5件")
    assert prose.source(0, 6) == "主動公開 “信息"


def test_the_last_lines_are_joined_alone_as_the_whole_text_joins_them():
    from scrapers.parse.prose import _last_lines, _normalised, last_lines

    texts = [
        "北京市东城区民政局\n2023年政府信息公开工作年度报告\n……\n本报告所列数据的统计期限自2023年1月1日\n起至12月31日止,如有疑问请联系区民政局办公室\n电话12345\n北京市东城区民政局\n",
        "累计主动公开政府信息\n5928\n条\n\n二、依申请公开\nabc defghijklmnopqr 12\n34 件",
        "一行",
        "",
    ]
    for text in texts:
        for n in (1, 3):
            _normalised.cache_clear()
            lazy = last_lines(normalise(text), n)  # before the text is joined
            assert lazy == _last_lines(normalise(text).text, n), text


def test_a_character_the_joined_text_holds_is_seen_before_the_lines_are_joined():
    from scrapers.parse.prose import _normalised, may_hold

    _normalised.cache_clear()
    prose = normalise("本报告由北京市东城区民政局根据《条例》要求\n编制。")
    assert may_hold(prose, "由") and not may_hold(prose, "甲")
    assert prose.text == "本报告由北京市东城区民政局根据《条例》要求编制。"  # joined once read
