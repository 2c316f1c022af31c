"""The query language parser: pure, no database."""

import pytest

from speeches.search.query import All, Any, Not, Term, parse_query


def test_terms_are_anded():
    tree = parse_query("疫情 考试").tree
    assert isinstance(tree, All) and [c.text for c in tree.children] == ["疫情", "考试"]


def test_an_unquoted_term_is_one_string_not_jiebas_words():
    assert parse_query("疫情防控").tree == Term("疫情防控")
    assert parse_query("安全生产").terms == ("安全生产",)
    assert parse_query("煤").tree == Term("煤")


def test_an_unquoted_term_folds_script_and_case_and_drops_sentence_punctuation_around_it():
    assert parse_query("國土資源，").tree == Term("国土资源")
    assert parse_query("发展*").tree == Term("发展")  # no wildcard: the string itself


@pytest.mark.parametrize("query", ["互联网+", "+3", "《GDP》", "a/b", "【通知】"])
def test_any_other_sign_is_part_of_the_string(query):
    assert parse_query(query).tree == Term(query.lower())


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("工作 －安全", "工作 -安全"),
        ("（安全 生产） OR 煤", "(安全 生产) OR 煤"),
        ("＂安全 生产＂", '"安全 生产"'),
        ("title：会议", "title:会议"),
        ("安全 ＯＲ 疫情", "安全 OR 疫情"),
    ],
)
def test_operators_typed_full_width_are_operators(typed, meant):
    assert parse_query(typed).tree == parse_query(meant).tree


def test_a_minus_before_brackets_excludes_the_group():
    assert parse_query("(煤 OR 疫情) -(防控)").tree == All((Any((Term("煤"), Term("疫情"))), Not(Term("防控"))))
    assert parse_query("-(安全 OR 生产) 工作").tree == All((Not(Any((Term("安全"), Term("生产")))), Term("工作")))
    assert parse_query("工作 -(-安全)").tree == All((Term("工作"), Term("安全")))


def test_a_minus_before_title_excludes_titles_holding_the_term():
    assert parse_query("讲话 -title:疫情").tree == All((Term("讲话"), Not(Term("疫情", "title"))))


def test_title_before_brackets_looks_for_each_term_of_the_group_in_titles():
    assert parse_query("title:(信访 OR 疫情)").tree == Any((Term("信访", "title"), Term("疫情", "title")))


def test_not_excludes_the_term_after_it_as_a_minus_does():
    assert parse_query("安全 NOT 生产").tree == parse_query("安全 -生产").tree


def test_a_dash_standing_alone_before_a_word_is_no_operator():
    assert parse_query("安全 - 生产").tree == All((Term("安全"), Term("生产")))


def test_a_traditional_term_opencc_writes_otherwise_as_a_word_finds_either_form():
    # OpenCC's phrase table, as the canonical text was written (ingest/script.py):
    # 瞭解 → 了解, where 瞭 alone stays (瞭望).
    assert parse_query("瞭解").tree == Any((Term("瞭解"), Term("了解")))
    assert parse_query("反覆").tree == Any((Term("反覆"), Term("反复")))
    assert parse_query("瞭望").tree == Term("瞭望")


def test_quotes_make_one_term_and_fold_the_script():
    assert parse_query('"國土資源"').tree == Term("国土资源")


def test_spaces_inside_a_chinese_phrase_are_dropped_but_kept_between_latin_words():
    assert parse_query('"疫情 防控"').tree == Term("疫情防控")
    assert parse_query('"World Bank"').tree == Term("world bank")


def test_or_binds_tighter_than_the_implied_and():
    tree = parse_query("a b OR c").tree
    assert isinstance(tree, All) and isinstance(tree.children[1], Any)


def test_a_minus_excludes_and_title_limits_to_titles():
    tree = parse_query("title:考试 -招生").tree
    assert tree.children[0] == Term("考试", "title")
    assert isinstance(tree.children[1], Not)


def test_brackets_group_and_unbalanced_ones_are_repaired_with_a_message():
    parsed = parse_query("(防汛 OR 抗旱")
    assert isinstance(parsed.tree, Any) and "括号" in parsed.message


def test_an_unbalanced_quote_searches_the_rest_as_a_phrase_and_says_so():
    parsed = parse_query('考试 "安全')
    assert parsed.tree.children[1] == Term("安全") and "引号" in parsed.message


@pytest.mark.parametrize("query", ["OR", "-", "-考试", "AND NOT", "()", '""', "，。", "title:"])
def test_queries_without_a_searchable_word_give_no_tree_and_a_message(query):
    parsed = parse_query(query)
    assert parsed.tree is None and parsed.message


def test_a_very_long_query_is_cut_with_a_message():
    parsed = parse_query("".join(chr(0x4E00 + i) for i in range(2000)))
    assert parsed.tree is not None and "过长" in parsed.message


def test_deep_brackets_do_not_recurse_without_limit():
    parsed = parse_query("(" * 1000 + "疫情" + ")" * 1000)
    assert parsed.message


def test_a_minus_before_quotes_excludes_the_quoted_string():
    tree = parse_query('工作 -"安全 生产"').tree
    assert tree == All((Term("工作"), Not(Term("安全生产"))))


EXCLUDED = All((Term("疫情"), Not(Term("教育"))))
EITHER = Any((Term("疫情"), Term("教育")))


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("疫情 or 教育", EITHER),
        ("疫情 Or 教育", EITHER),
        ("疫情 | 教育", EITHER),
        ("疫情|教育", EITHER),
        ("疫情 OR OR 教育", EITHER),
        ("疫情 not 教育", EXCLUDED),
        ("疫情 and 教育", All((Term("疫情"), Term("教育")))),
    ],
)
def test_operators_typed_in_any_case_or_as_a_bar_are_operators(typed, meant):
    assert parse_query(typed).tree == meant and parse_query(typed).message == ""


@pytest.mark.parametrize(
    "typed", ["疫情 —教育", "疫情 −教育", "疫情 ﹣教育", "疫情 ‐教育", "疫情 –教育", "疫情 --教育"]
)
def test_a_dash_of_another_kind_or_typed_twice_before_a_word_excludes_it(typed):
    assert parse_query(typed).tree == EXCLUDED


def test_a_double_dash_inside_text_stays_part_of_the_string():
    assert parse_query("——讲话").tree == Term("——讲话")
    assert parse_query("a—b").tree == Term("a—b")


@pytest.mark.parametrize(
    "typed", ["“疫情防控”", "「疫情防控」", "“疫情 防控”", "『疫情防控』", "‘疫情防控’", "“疫情防控”，", "〝疫情防控〞"]
)
def test_chinese_quotation_marks_quote_a_phrase_as_the_search_form_says(typed):
    assert parse_query(typed).tree == Term("疫情防控") and parse_query(typed).message == ""


@pytest.mark.parametrize("typed", ["说“要", "“两个维护”是", "“十四五”规划"])
def test_chinese_quotation_marks_inside_a_copied_string_are_part_of_it(typed):
    assert parse_query(typed).tree == Term(typed) and parse_query(typed).message == ""


@pytest.mark.parametrize("typed", ['今年是"十五"计划', '"十五"计划', '说"要"'])
def test_straight_quotation_marks_inside_a_copied_string_are_part_of_it(typed):
    assert parse_query(typed).tree == Term(typed) and parse_query(typed).message == ""


@pytest.mark.parametrize(
    "typed, meant",
    [
        ('("甲" OR "乙")', Any((Term("甲"), Term("乙")))),
        ('title:"安全 生产"', Term("安全生产", "title")),
        ('"安全生产"，', Term("安全生产")),
        ('"安全""生产"', All((Term("安全"), Term("生产")))),
    ],
)
def test_straight_quotation_marks_standing_as_a_word_still_quote(typed, meant):
    assert parse_query(typed).tree == meant


def test_a_straight_quotation_mark_left_at_a_terms_end_is_dropped_and_said():
    parsed = parse_query('安全生产" 考试')
    # Dropped as a mark left over (not read as opening a phrase that runs to the end).
    assert parsed.tree == All((Term("安全生产"), Term("考试")))
    assert parsed.message == "引号不成对，已按不带引号的词语检索。"


def test_a_nul_typed_into_a_query_is_a_space_as_in_the_search_form_not_a_quotation_mark():
    assert parse_query('安全\x00生产"').tree == All((Term("安全"), Term("生产")))


@pytest.mark.parametrize("typed, sign", [("疫情~", "~"), ("疫情^ 教育", "^")])
def test_another_engines_sign_after_a_term_is_left_out_and_named_in_the_message(typed, sign):
    parsed = parse_query(typed)
    assert Term("疫情") in (parsed.tree, *getattr(parsed.tree, "children", ()))
    assert f"“{sign}”不是检索运算符" in parsed.message


@pytest.mark.parametrize("typed", ["“疫情防控", "疫情防控”", "「疫情防控", "疫情防控』"])
def test_a_quotation_mark_left_unpaired_at_a_terms_edge_is_dropped_and_said(typed):
    # What an input method leaves of a pair: searched as written, it found nothing, silently.
    parsed = parse_query(typed)
    assert parsed.tree == Term("疫情防控") and "引号不成对" in parsed.message
    assert parse_query(f"考试 {typed}").tree == All((Term("考试"), Term("疫情防控")))


def test_a_space_after_title_colon_still_limits_the_next_term_to_titles():
    assert parse_query("title: 疫情").tree == Term("疫情", "title")
    assert parse_query("疫情 -title: 教育").tree == All((Term("疫情"), Not(Term("教育", "title"))))
    assert parse_query('title: "安全 生产"').tree == Term("安全生产", "title")


def test_a_minus_after_title_colon_excludes_titles_holding_the_term():
    assert parse_query("title:-疫情 防控").tree == All((Not(Term("疫情", "title")), Term("防控")))


@pytest.mark.parametrize("typed", ["疫情 - 教育", "疫情 -"])
def test_a_minus_standing_alone_is_left_out_and_the_message_says_how_to_exclude(typed):
    parsed = parse_query(typed)
    assert Not(Term("教育")) not in getattr(parsed.tree, "children", ())
    assert "-考试" in parsed.message


@pytest.mark.parametrize("typed, sign", [("疫情 !教育", "!"), ("疫情 ！教育", "!"), ("疫情 ~教育", "~")])
def test_another_engines_not_sign_is_left_out_and_named_in_the_message(typed, sign):
    parsed = parse_query(typed)
    assert parsed.tree == All((Term("疫情"), Term("教育")))
    assert f"“{sign}”不是检索运算符" in parsed.message


def test_a_wildcard_is_left_out_and_the_message_says_a_term_matches_inside_any_text():
    assert parse_query("疫*").tree == Term("疫") and "通配符" in parse_query("疫*").message


def test_sentence_punctuation_typed_after_a_term_gives_no_message():
    assert parse_query("安全生产！").message == "" and parse_query("安全生产？").message == ""


def test_a_query_of_exclusions_alone_gives_one_message():
    assert parse_query("-疫情").message == "只有排除词（-词语）无法检索，请加上要查找的词语。"


@pytest.mark.parametrize(
    "query, text_terms",
    [
        ("title:疫情", ()),
        ("title:疫情 防控", ("防控",)),
        ("title:(疫情 OR 考试) 防控 -煤", ("防控",)),
        ("title:疫情 疫情", ("疫情",)),
        ('"安全 生产" OR title:煤', ("安全生产",)),
    ],
)
def test_the_terms_looked_for_in_the_text_leave_out_title_only_and_excluded_ones(query, text_terms):
    assert parse_query(query).text_terms == text_terms


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("title:“疫情防控”", Term("疫情防控", "title")),
        ("(“疫情防控” OR 防汛)", Any((Term("疫情防控"), Term("防汛")))),
        ("-“疫情防控” 教育", All((Not(Term("疫情防控")), Term("教育")))),
    ],
)
def test_chinese_quotation_marks_quote_a_phrase_after_an_operator_too(typed, meant):
    assert parse_query(typed).tree == meant


def test_a_wildcard_inside_a_term_is_left_out_as_the_message_says():
    assert parse_query("教*育").tree == Term("教育") and "通配符" in parse_query("教*育").message


@pytest.mark.parametrize("typed", ["教育 — 信息化", "教育 —", "— 教育"])
def test_a_dash_of_another_kind_standing_alone_is_left_out_with_the_minus_message(typed):
    parsed = parse_query(typed)
    assert "-考试" in parsed.message and not any(isinstance(c, Not) for c in getattr(parsed.tree, "children", ()))


def test_a_minus_sign_typed_twice_excludes_as_two_ascii_minuses_do():
    assert (
        parse_query("教育 −−信息化").tree
        == parse_query("教育 --信息化").tree
        == All((Term("教育"), Not(Term("信息化"))))
    )


def test_and_before_or_is_said_to_leave_or_without_a_left_side():
    assert "OR 两边都需要检索词" in parse_query("疫情 and or 防汛").message


@pytest.mark.parametrize("query", ["-工作 OR -发展", "NOT 工作 OR NOT 发展", "-工作 | -会议", "工作 OR -发展"])
def test_an_or_with_exclusions_alone_on_a_side_is_refused_as_exclusions_alone_are(query):
    parsed = parse_query(query)
    assert parsed.tree is None and "排除词" in parsed.message


def test_an_or_of_exclusions_inside_a_query_that_looks_for_a_term_is_kept():
    tree = parse_query("工作 (-安全 OR -生产)").tree
    assert tree == All((Term("工作"), Any((Not(Term("安全")), Not(Term("生产"))))))


@pytest.mark.parametrize("query", ["〓", '"〓"', "〓〓", "%", "《》"])
def test_a_term_of_signs_alone_is_searched_as_the_string_it_is(query):
    assert parse_query(query).tree == Term(query.strip('"'))


@pytest.mark.parametrize(
    "query", ["\u200b发展", "\ufeff发展", "发展\u00ad", "发\u200d展", "\u202e发展", "发\u2067展\u2069"]
)
def test_characters_of_no_width_copied_with_a_term_are_left_out_of_it(query):
    assert parse_query(query).tree == Term("发展")


def test_deep_but_balanced_brackets_are_not_said_to_be_unbalanced():
    parsed = parse_query("(" * 10 + "发展" + ")" * 10)
    assert parsed.tree == Term("发展") and "嵌套过深" in parsed.message and "不成对" not in parsed.message
    assert "不成对" in parse_query("(" * 10 + "发展" + ")" * 11).message


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("“疫情 防控”，", Term("疫情防控")),  # a sign typed after a pair with a space inside
        ("“疫情 防控”|防汛", Any((Term("疫情防控"), Term("防汛")))),
        ("workers’ rights", All((Term("workers’"), Term("rights")))),  # an apostrophe, no mark
    ],
)
def test_a_pair_of_quotation_marks_stays_a_pair_before_a_sign_and_an_apostrophe_is_no_mark(typed, meant):
    parsed = parse_query(typed)
    assert parsed.tree == meant and parsed.message == ""


@pytest.mark.parametrize("sign", ["^", "~"])
def test_a_sign_typed_alone_is_named_once_not_once_as_a_prefix_and_again_as_a_suffix(sign):
    # The two notes said opposite things side by side: "(exclude with -word)" and
    # "the term is matched as typed".
    assert parse_query(sign).message.count("不是检索运算符") == 1
    assert parse_query(f"发展{sign}").message.count("不是检索运算符") == 1


def test_closeness_groups_an_ors_alternatives_and_opens_up_an_and_inside_an_and():
    from speeches.search.relevance import near_groups

    # "工作 (发展 改革)" means "工作 发展 改革": 工作 beside 发展 with 改革 far away had the
    # full bonus, as if 发展 and 改革 were alternatives.
    assert near_groups(parse_query("工作 (发展 改革)").tree) == near_groups(parse_query("工作 发展 改革").tree)
    assert near_groups(parse_query("(防汛 OR 抗旱) 部署").tree) == [[Term("防汛"), Term("抗旱")], [Term("部署")]]
    assert len(near_groups(parse_query("疫情 OR 考试").tree)) == 1  # alternatives alone: no closeness
