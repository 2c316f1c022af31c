import pytest

from speeches.ingest.metadata import (
    find_genre,
    find_occasion,
    find_speaker_level,
    restore_title,
)

from .structure_seeds import find_speech, parse_seed


def test_the_occasion_comes_from_the_speeches_opening():
    assert find_occasion("", "同志们:这次召开辅警工作会议,是我所根据…") == "辅警工作会议"
    assert find_occasion("", "今天我们在这里召开全市教育信息化工作推进会议,主要任务是…") == "全市教育信息化工作推进会议"
    assert find_occasion("在全市森林防火工作推进会上的讲话", "同志们:") == "全市森林防火工作推进会"


def test_an_untrusted_title_names_no_occasion_and_vague_meetings_are_none():
    assert find_occasion("在全市森林防火工作推进会上的讲话", "同志们:", title_trusted=False) == ""
    assert find_occasion("", "今天,我们召开这次会议,主要是…") == ""


@pytest.mark.parametrize(
    "opening", ["今天召开这个会议,主要是部署防汛工作。", "我们召开这样一个会议,主要是…", "我们召开该次全体会议,目的是…"]
)
def test_a_meeting_named_only_as_this_one_is_no_occasion(opening):
    # A speech opening "今天召开这个会议" was titled 在这个会议上的讲话 by the archive.
    assert find_occasion("", "同志们:" + opening) == ""


def test_a_subtitle_that_lost_its_subject_takes_it_back_from_the_meeting():
    # 004's page prints "工作会议上的讲话稿" where the 辅警 speech begins.
    assert restore_title("工作会议上的讲话稿", "辅警工作会议") == "辅警工作会议上的讲话稿"
    assert restore_title("外宣工作会议上的讲话稿", "外宣工作会议") == "外宣工作会议上的讲话稿"
    assert restore_title("工作会议上的讲话稿", "") == "工作会议上的讲话稿"


@pytest.mark.parametrize(
    ("title", "occasion", "genre"),
    [
        ("在校庆典礼上的致辞", "", "致辞"),
        ("社区工作者发言稿", "", "发言"),
        ("领导工作部署讲话稿", "", "讲话"),
        ("", "全市安全生产动员大会", "动员"),
    ],
)
def test_it_names_the_genre(title, occasion, genre):
    assert find_genre(title, "", occasion) == genre


def test_the_speakers_level_is_what_the_speech_says_most():
    assert find_speaker_level("全县各部门……我县……全市") == "县"
    assert find_speaker_level("集团公司……各公司……") == "企业"
    assert find_speaker_level("同志们,今天开个会。") == ""


def test_the_speakers_own_jurisdiction_outweighs_the_bodies_it_names():
    # 004, the 攀枝花 city speech: 省委 five times, 全省 and 我省 once, 全市 three times,
    # 我市 twice, 市委 once.
    text = "省委" * 5 + "全省我省" + "全市" * 3 + "我市" * 2 + "市委"
    assert find_speaker_level(text) == "市"


def test_the_seed_speeches_state_their_metadata():
    document = parse_seed("corpus/seeds/004_d07954890cd01a7b.txt")
    auxiliary_police = find_speech(document, "同志们:这次召开辅警工作会议")
    # The page's title, line 183, and the archive's, made whole from the meeting and so supplied.
    assert auxiliary_police.title == "工作会议上的讲话稿"
    assert auxiliary_police.display_title == "辅警工作会议上的讲话稿" and auxiliary_police.title_supplied
    assert auxiliary_police.occasion == "辅警工作会议"
    assert find_speech(document, "党中央、国务院高度重视产品质量").region == "天津"


def test_a_subtitle_the_meeting_cannot_make_whole_is_not_cited_as_the_speechs_title():
    document = parse_seed("corpus/seeds/004_d07954890cd01a7b.txt")
    # Line 593 heads a speech on tea and ecology, 861 one on talent work, 1003 a
    # community's unveiling ceremony ("在一片热闹的锣鼓…喜迎新春文艺汇演暨**社区落成揭牌仪式"):
    # none names its meeting as "这次召开…工作会议" does, so none can be made whole.
    tea = find_speech(document, "党的第某大明确提出,建设生态文明")
    talent = find_speech(document, "这次会议的主要任务是,学习贯彻对人才工作的重要批示精神")
    unveiling = find_speech(document, "尊敬的各位领导、各位来宾,朋友们,居民们")
    for speech, page_title in (
        (tea, "工作会议上的讲话稿"),
        (talent, "工作会议上的领导讲话稿"),
        (unveiling, "工作会议上讲话稿"),
    ):
        assert speech.title == page_title
        assert not speech.title_trusted and speech.title_supplied
        assert "工作会议上" not in speech.display_title
    assert talent.display_title == "关于人才工作的讲话"
    assert unveiling.display_title == "在喜迎新春文艺汇演暨**社区落成揭牌仪式上的讲话"


def test_a_title_line_cut_where_it_names_the_meeting_gives_way_to_a_supplied_title():
    document = parse_seed("corpus/seeds/003_2b7a5b5f4b6eab26.txt")
    # Line 281, "應若平副廳長在20xx年度全省市州。", under which the speech opens
    # "今天,我們在這里召開全省各市州教育信息化工作會議".
    speech = find_speech(document, "今天,我们在这里召开全省各市州教育信息化工作会议")
    assert speech.subtitle.startswith("应若平副厅长在20xx年度全省市州")
    assert speech.display_title == "应若平副厅长在全省各市州教育信息化工作会议上的讲话"
    assert speech.title_supplied


@pytest.mark.parametrize(
    ("line", "occasion", "cut"),
    [
        ("应若平副厅长在20xx年度全省市州", "全省各市州教育信息化工作会议", True),
        ("在全市工作会议上", "全市工作会议", False),  # whole, and named
        ("坚持在实践中成长", "全市工作会议", False),  # 在 of another sense
        ("在全市教育工作会议", "全市教育工作会议", False),  # the meeting's whole name
    ],
)
def test_a_cut_title_line_ends_part_way_into_the_meetings_name(line, occasion, cut):
    from speeches.ingest.pipeline import cut_before_its_meeting

    assert cut_before_its_meeting(line, occasion) is cut
