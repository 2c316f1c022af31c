import json

import pytest

from speeches.ingest.classify import classify, load_topics, pick_topics, score_topics, title_matches

from .structure_seeds import GOLDEN, find_speech, parse_seed

LABELLED = json.loads((GOLDEN / "topics_labelled.json").read_text(encoding="utf-8"))["speeches"]


def test_the_taxonomy_has_25_to_40_topics_with_unique_slugs():
    topics = load_topics()
    assert 25 <= len(topics) <= 40
    assert len({t.slug for t in topics}) == len(topics)
    assert {"疫情防控", "森林防火", "全国文明城市创建", "乡村振兴", "信访", "作风建设"} <= {t.name for t in topics}


def test_the_labelled_set_holds_at_least_40_speeches_with_known_topics():
    slugs = {t.slug for t in load_topics()}
    assert len(LABELLED) >= 40
    assert all(row["topic"] in slugs for row in LABELLED)


def test_every_labelled_speech_is_found_in_its_seed():
    missing = [row["opening"] for row in LABELLED if find_speech(parse_seed(row["seed"]), row["opening"]) is None]
    assert missing == []


def test_the_primary_topic_matches_the_hand_labels_on_at_least_85_percent():
    wrong = []
    for row in LABELLED:
        speech = find_speech(parse_seed(row["seed"]), row["opening"])
        primary = speech.topics[0][0] if speech and speech.topics else None
        if primary != row["topic"]:
            wrong.append((row["opening"][:12], row["topic"], primary))
    accuracy = 1 - len(wrong) / len(LABELLED)
    assert accuracy >= 0.85, wrong


def test_it_classifies_000s_first_speech_by_content_not_by_its_forest_fire_title():
    speech = parse_seed("corpus/seeds/000_e3c50620afa4a9e1.txt").speeches[0]
    assert speech.topics[0][0] == "civilized-city"
    assert not speech.title_trusted


def test_a_title_naming_another_topic_is_not_trusted():
    scored = score_topics("今天我们召开全市创建全国文明城市推进会,文明城市创建要常态化。" * 5)
    assert not title_matches("在全市森林防火工作推进会上的讲话", scored)
    assert title_matches("在全市创建全国文明城市推进会上的讲话", scored)
    assert title_matches("领导工作部署讲话稿", scored)  # names no topic: neutral


def test_a_keyword_inside_a_longer_one_counts_for_the_longer_one_only():
    scored = dict(score_topics("推进教育信息化" * 10))
    assert "education-it" in scored
    assert "education" not in scored


def test_headings_weigh_more_than_prose():
    prose = "我们要做好工作。" * 40 + "消防" + "旅游"
    assert dict(score_topics(prose, headings="一、抓好旅游"))["tourism"] > dict(score_topics(prose))["tourism"]


def test_a_speech_with_no_topic_words_gets_no_topic():
    assert classify("同志们,今天开个会。") == ()
    assert pick_topics([]) == ()


@pytest.mark.parametrize("text", ["", "x" * 10])
def test_empty_or_odd_text_gets_no_topic_and_no_error(text):
    assert classify(text) == ()
