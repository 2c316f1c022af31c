"""Variant forms fold to the standard character in the canonical text and in queries;
the original keeps the source's form. Expected texts read from seed 000."""

from __future__ import annotations

from speeches.ingest.pipeline import parse_document
from speeches.ingest.script import simplify_chars, to_simplified, variant_table, zhang_for_accounts, zhe_for_zhu

SEED_000 = "000_e3c50620afa4a9e1.txt"


def test_the_variant_shaanxi_folds_to_the_standard_character_in_text_and_query():
    # 000: 政府“數(shù)字陜西.智慧城市”試點項目 — 陜 is a variant OpenCC's t2s leaves alone.
    assert to_simplified("數字陜西") == "数字陕西"
    assert simplify_chars("陜") == "陕"


def test_standard_simplified_characters_of_their_own_are_never_folded():
    # 甯 (a surname), 锺 and 馀 are in GB2312; 瞭 is the 1986 form of 瞭望 (000: 高山瞭望).
    assert to_simplified("甯锺馀") == "甯锺馀"
    assert to_simplified("充分運用高山瞭望、地面巡邏") == "充分运用高山瞭望、地面巡逻"
    assert all(ord(ch) not in variant_table() for ch in "甯锺馀瞭陕")


def test_a_seed_speech_says_shaanxi_in_standard_form_and_its_original_keeps_the_variant(seed_bytes):
    parsed = parse_document(seed_bytes[SEED_000])
    holding = [speech for speech in parsed.speeches if "宁陕中学" in speech.text]
    assert holding, "000: 寧陜中學的機器人項目多次…"
    assert all("陜" not in speech.text for speech in parsed.speeches)
    assert any("寧陜中學" in speech.original_text for speech in holding)


def test_variants_that_neither_table_maps_fold_too():
    # 003: "辦公室工作在一個單位處于樞紐位臵", "把任務布臵給單位"; "王玨".
    assert to_simplified("處于樞紐位臵") == "处于枢纽位置"
    assert to_simplified("布臵給單位") == "布置给单位"
    assert to_simplified("王玨") == "王珏"
    assert simplify_chars("臵") == "置"


def test_the_particle_written_zhu_in_traditional_text_is_zhe_in_the_canonical_text():
    # 002: "隨著城市的快速發展…面臨著“城市病”"; 000: "繼續努力著、團結著"; 003: "著力提高信息質量".
    assert zhe_for_zhu(to_simplified("隨著城市的快速發展")) == "随着城市的快速发展"
    assert zhe_for_zhu(to_simplified("繼續努力著、團結著、凝聚著")) == "继续努力着、团结着、凝聚着"
    assert zhe_for_zhu(to_simplified("樹立精品意識,著力提高信息質量")) == "树立精品意识,着力提高信息质量"
    # 003: "全球化和信息化是當今世界經濟發展的兩個顯著特點。隨著第三輪經…"
    assert zhe_for_zhu(to_simplified("兩個顯著特點。隨著第三輪")) == "两个显著特点。随着第三轮"


def test_zhu_stays_in_the_words_where_it_is_read_zhu():
    # 000 "成效顯著", "各地很多著名的", 002 "見微知著", 004 "读原著".
    text = "成效显著,各地很多著名的,成绩卓著,臭名昭著,见微知著,土著居民,读原著"
    assert zhe_for_zhu(text) == text


def test_a_zhu_word_that_the_particle_spells_with_its_neighbours_is_not_taken_for_one():
    # 000 "把…作為最大著力點", 003 "彰顯著重視,意味著擔當": 大著 and 显著 are words, not here.
    assert zhe_for_zhu("作为最大著力点") == "作为最大着力点"
    assert zhe_for_zhu("彰显著重视,意味著担当") == "彰显着重视,意味着担当"


def test_no_seed_speech_writes_the_particle_zhu_and_the_originals_keep_it(seed_bytes):
    kept = 0
    for name, raw in seed_bytes.items():
        for speech in parse_document(raw).speeches:
            for word in ("随著", "意味著", "面临著", "本著", "著力", "著眼"):
                assert word not in speech.text, (name, speech.ordinal, word)
            if "隨著" in speech.original_text:
                assert "随着" in speech.text, (name, speech.ordinal)
                kept += 1
    assert kept, "002: 隨著城市的快速發展…"


def test_zhang_of_accounts_is_written_as_the_standard_writes_it_and_of_curtains_stays():
    # 000 "問題要建立臺帳", "我們還有欠帳"; 003 "保歷史欠帳多"; 004, simplified, writes 台账 and 欠账.
    text = to_simplified("問題要建立臺帳,我們還有欠帳,保歷史欠帳多;搭帳篷,掛蚊帳")
    assert zhang_for_accounts(text) == "问题要建立台账,我们还有欠账,保历史欠账多;搭帐篷,挂蚊帐"


def test_no_seed_speech_writes_zhang_of_accounts_as_a_curtain(seed_bytes):
    for name in ("000_e3c50620afa4a9e1.txt", "003_2b7a5b5f4b6eab26.txt"):
        texts = [s.text for s in parse_document(seed_bytes[name]).speeches]
        assert not any(word in text for text in texts for word in ("台帐", "欠帐"))
        assert any("欠账" in text for text in texts)
