"""Speaker, office, date, place and meeting, each with its standing (speeches/ingest/attribution.py)."""

from speeches.ingest.attribution import find_date, find_place, find_speaker, occasion_belongs, tell_apart
from speeches.ingest.types import INFERRED, STATED, UNKNOWN, Attribute, Attribution, ParsedSpeech


def paragraphs(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n"))


def test_a_title_year_or_a_date_line_is_a_stated_date():
    assert find_date("在2019年全市经济工作会议上的讲话", (), True) == Attribute(
        "2019", STATED, "title-year", "在2019年全市经济工作会议上的讲话", 0
    )
    found = find_date("", paragraphs("应若平副厅长在全省会议上的讲话\n(2017年3月10日)\n同志们:"), True)
    assert (found.value, found.standing, found.paragraph) == ("2017-03-10", STATED, 2)


def test_a_speech_saying_which_year_it_is_states_it():
    found = find_date("", paragraphs("2021年,我们坚决贯彻……\n2022年是党的二十大召开之年。"), True)
    assert (found.value, found.standing, found.rule) == ("2022", STATED, "current-year")


def test_the_year_a_speech_reviews_gives_an_inferred_date_the_year_after():
    found = find_date("", paragraphs("主要任务是传达贯彻会议精神,总结2021年全国文明城市创建工作"), True)
    assert (found.value, found.standing) == ("2022", INFERRED)
    found = find_date("", paragraphs("回顾总结2016年度我省教育信息化工作"), True)
    assert (found.value, found.standing) == ("2017", INFERRED)


def test_the_time_since_the_latest_year_said_before_it_dates_the_speech_that_much_later():
    # 003 line 4: "我市實施制造業信息化工程已有兩年多的時間了。2002年八月,我市爭取列入了…".
    text = "我市实施制造业信息化工程已有两年多的时间了。2002年八月,我市争取列入了全国47家制造业信息化重点城市行列"
    found = find_date("", paragraphs(text), True)
    assert (found.value, found.standing, found.rule) == ("2004/2005", INFERRED, "latest-year+elapsed")
    found = find_date("", paragraphs("这项工作已经三年了。2015年,我们启动了试点"), True)
    assert found.value == "2018"
    # Said further away, or after the year, it is about something else.
    assert find_date("", paragraphs("2015年,我们启动了试点,已有三年多。"), True).value == "2015"


def test_placeholder_years_and_untrusted_titles_date_nothing():
    assert find_date("20xx年全市工作会议讲话", paragraphs("20xx年,在市委的正确领导下……"), True).value == ""
    assert find_date("在2019年全市经济工作会议上的讲话", paragraphs("同志们:"), False).value == ""


def test_a_target_year_is_not_a_year_looked_back_on():
    assert find_date("", paragraphs("力争到2035年基本实现现代化。"), True).value == ""


def test_the_plan_or_the_epidemic_a_speech_names_as_current_dates_it_as_a_deduction():
    found = find_date("", paragraphs("今年是全面实施“十三五”规划的启航之年"), True)
    assert (found.value, found.standing) == ("2016", INFERRED)
    found = find_date("", paragraphs("新冠疫情发生至今已有近三年时间。"), True)
    assert (found.value, found.standing, found.rule) == ("2020/2022", INFERRED, "新冠疫情")
    found = find_date("", paragraphs("新冠肺炎疫情对经济造成冲击。\n2021年,全市上下……"), True)
    assert (found.value, found.standing) == ("2021/2022", INFERRED)


def test_a_plan_still_being_drafted_dates_a_speech_to_the_year_before_it():
    # 001 篇七 "编制好“十四五”规划", 000 篇七 "高标准谋划好“十四五”造林绿化工作，提前着手准备
    # 2021年造林绿化的山头地块": both given in 2020, and cited as 2021—2025 while the 好
    # hid the drafting.
    for said in ("编制“十四五”规划", "要编制好“十四五”规划，扩大有效投资", "高标准谋划好“十四五”造林绿化工作"):
        found = find_date("", paragraphs(said), True)
        assert (found.value, found.standing, found.rule) == ("2020", INFERRED, "十四五编制"), said
    assert find_date("", paragraphs("全面完成“十四五”目标任务"), True).value == "2021/2025"


def test_a_speech_with_nothing_that_dates_it_is_undated():
    assert find_date("", paragraphs("同志们:\n今天开个短会。"), True) == Attribute()


def test_a_byline_states_the_speaker_and_office_and_a_name_in_the_body_does_not():
    speaker, office = find_speaker("", paragraphs("应若平副厅长在20xx年度全省市州。\n同志们:"))
    assert (speaker.value, office.value, speaker.standing, speaker.paragraph) == ("应若平", "副厅长", STATED, 1)
    speaker, office = find_speaker("", paragraphs("做一个好委员。\n市政协委员曾兰州。\n参政议政是……"))
    assert (speaker.value, office.value) == ("曾兰州", "市政协委员")
    speaker, office = find_speaker("", paragraphs("同志们:\n刚才,王翔副市长已就企业技术改造作了具体部署。"))
    assert (speaker, office) == (Attribute(), Attribute())


def test_a_byline_naming_a_comrade_states_the_speaker_and_no_office():
    speaker, office = find_speaker("张建国同志在全市国土资源工作会议上的讲话", ())
    assert (speaker.value, speaker.standing, office) == ("张建国", STATED, Attribute())
    speaker, _ = find_speaker("", paragraphs("全体同志在抗洪一线的讲话\n同志们:"))
    assert speaker == Attribute()
    for opening in ("党员同志在疫情防控中冲锋在前", "万名同志在一线奋战"):
        assert find_speaker("", paragraphs(f"{opening}\n同志们:"))[0] == Attribute()


def test_placeholders_are_no_name():
    speaker, _ = find_speaker("", paragraphs("xx局长在全市会议上的讲话\n同志们:"))
    assert speaker.value == ""


def test_a_place_the_text_calls_its_own_is_stated_and_one_it_names_often_is_inferred():
    found = find_place("天津市委、市政府历来十分重视产品质量……天津市产品质量领导小组")
    assert (found.value, found.standing, found.rule) == ("天津", STATED, "own-市委")
    found = find_place("襄阳教育资源云……襄阳教育信息化")
    assert (found.value, found.standing) == ("湖北·襄阳", INFERRED)
    # A province's bare name weighs half (it is as often part of a name): four make it.
    found = find_place("广东共青团……广东青年……广东团干部……广东高校……全省团员")
    assert (found.value, found.standing) == ("广东", STATED)
    assert find_place("广东共青团……广东青年").value == ""


def test_a_stated_places_evidence_is_where_the_speech_names_it_as_its_own():
    # 000's 济宁 speech: its first 济宁 is a school it visited, which says nothing of whose
    # speech it is; the evidence is where it names the city and calls it 我市.
    text = "刚才,参观了济宁一中现场……济宁教育……《济宁市教育信息化推进意见》,明确了我市教育信息化的方向"
    found = find_place(text)
    assert (found.value, found.standing) == ("山东·济宁", STATED)
    assert "我市" in found.evidence and "济宁" in found.evidence and "一中" not in found.evidence


def test_a_citys_evidence_is_never_a_county_named_after_it():
    # 003's 邵阳 speech: "我市…邵阳县环境监察…用房已完工" is the county's, not the city's.
    text = "20xx年,是邵阳环保事业取得重要进展的一年。\n全面推进邵阳经济社会发展。\n我市邵阳县环境监察监测执法业务用房已完工。"
    found = find_place(text)
    assert found.value == "湖南·邵阳" and "邵阳县" not in found.evidence
    # Also when the county comes first and no sentence names the city with 我市.
    first = "我市邵阳县环境监察监测执法业务用房已完工。\n20xx年,是邵阳环保事业取得重要进展的一年。\n全面推进邵阳经济社会发展。"
    found = find_place(first)
    assert found.value == "湖南·邵阳" and "邵阳县" not in found.evidence
    # A district named after the city is not the city either; a list's mention is no evidence.
    district = "我市淮安区环境监察监测执法业务用房已完工。\n全市上下都形成了必须加快淮安经济发展的共识。\n全面推进淮安经济社会发展。"
    assert "淮安区" not in find_place(district).evidence
    listed = (
        "会议邀请了湘潭、长沙、株洲、衡阳等地的代表。\n20xx年,是湘潭环保事业取得重要进展的一年。\n"
        "全面推进湘潭经济社会发展。湘潭的明天更美好。我市将继续努力，推进各项改革发展任务。"
    )
    assert "长沙" not in find_place(listed).evidence


def test_a_city_in_our_province_names_the_province_not_the_city():
    # 001: a 德州 speech says "我省日照市报告多例本土病例".
    found = find_place("近期国内多地出现聚集性疫情,我省日照市报告多例本土病例……山东省疫情防控指挥部……我省各地")
    assert found.value == "山东"


def test_a_county_the_speech_speaks_as_narrows_its_city():
    text = "长丰县信息工作……编发《长丰信息》……全县各部门……合肥市委办公厅"
    assert find_place(text).value == "安徽·合肥·长丰"
    # 大城市 is no 大城县, and a list of counties names none as the speech's own.
    assert find_place("建设大城市……大城市……全县").value == ""
    assert find_place("徽县、成县、两当县、康县……两当县、西和县……全县").value == ""


def test_a_provinces_bare_name_in_company_names_does_not_outweigh_the_city():
    text = "魅力信阳……信阳茶……河南羚锐、河南华英……信阳经济……全市上下"
    assert find_place(text).value == "河南·信阳"


def test_places_in_lists_and_comparisons_name_no_place():
    assert find_place("对照北京、上海、南京、广州的先进经验") == Attribute()
    assert find_place("高于北京二环。南京有6座。北京市建成区。武汉市有8个。大连市已经。") == Attribute()
    assert find_place("各位来宾……各位来宾") == Attribute()


def test_a_collection_title_belongs_only_to_the_speeches_that_bear_out_its_meeting():
    title = "在集团公司疫情防控工作视频会议上的讲话"
    assert occasion_belongs(title, "集团公司范围内未发生一起确诊病例……召开疫情防控工作视频会议")
    assert not occasion_belongs(title, "对全市各级各类学校秋季开学和疫情防控工作再安排")
    assert occasion_belongs("领导工作部署讲话稿", "同志们:")


def speech(
    ordinal: int, title: str, place: str = "", marker: str = "", duplicate_of=None, supplied: bool = False
) -> ParsedSpeech:
    attribution = Attribution(place=Attribute(place, INFERRED if place else UNKNOWN))
    return ParsedSpeech(
        ordinal=ordinal,
        title=title,
        text="",
        original_text="",
        sections=(),
        marker=marker,
        display_title=title,
        attribution=attribution,
        duplicate_of=duplicate_of,
        title_supplied=supplied,
    )


def test_speeches_sharing_the_pages_title_are_told_apart_by_its_numbering_else_by_bracketed_words_of_ours():
    told = tell_apart(
        [
            speech(1, "外宣工作会议上的讲话稿", "安徽·马鞍山"),
            speech(2, "外宣工作会议上的讲话稿", "山西·太原"),
            speech(3, "外宣工作会议上的讲话稿", ""),
            speech(4, "外宣工作会议上的讲话稿", "", marker="篇四"),
            speech(5, "外宣工作会议上的讲话稿", "山西·太原", duplicate_of=2),
            speech(6, "慈善工作会议上的讲话稿"),
        ]
    )
    # 篇四 is the page's heading ("外宣工作会议上的讲话稿篇四"); the places and the count
    # are the archive's, in square brackets.
    assert [s.display_title for s in told] == [
        "外宣工作会议上的讲话稿[马鞍山]",
        "外宣工作会议上的讲话稿[太原]",
        "外宣工作会议上的讲话稿[其三]",
        "外宣工作会议上的讲话稿篇四",
        "外宣工作会议上的讲话稿[太原]",
        "慈善工作会议上的讲话稿",
    ]
    # The bracketed words are kept apart: search leaves them out (Speech.searched_title).
    assert [s.title_qualifier for s in told] == ["马鞍山", "太原", "其三", "", "太原", ""]


def test_numbered_speeches_keep_the_pages_headings_even_where_a_place_would_tell_them_apart():
    # 002: 领導工作部署講話稿1, 2, 3 (lines 2, 9, 88); they were shown as
    # 领导工作部署讲话稿（新洲）, （第2篇）, （索县）: titles the page never wrote.
    told = tell_apart(
        [
            speech(1, "领导工作部署讲话稿", "湖北·武汉·新洲", marker="1"),
            speech(2, "领导工作部署讲话稿", marker="2"),
            speech(3, "领导工作部署讲话稿", "西藏·那曲·索县", marker="3"),
        ]
    )
    assert [s.display_title for s in told] == ["领导工作部署讲话稿1", "领导工作部署讲话稿2", "领导工作部署讲话稿3"]


def test_a_copy_under_a_heading_of_its_own_shows_that_heading():
    # 003 repeats 篇五's speech under 篇三 (its lines 34 and 85, and again at 579 and 630).
    told = tell_apart(
        [
            speech(3, "在信息工作会议上的讲话稿", marker="篇三", duplicate_of=5),
            speech(4, "在信息工作会议上的讲话稿", marker="篇四"),
            speech(5, "在信息工作会议上的讲话稿", marker="篇五"),
        ]
    )
    assert [s.display_title for s in told] == [
        "在信息工作会议上的讲话稿篇三",
        "在信息工作会议上的讲话稿篇四",
        "在信息工作会议上的讲话稿篇五",
    ]


def test_a_supplied_title_is_told_apart_in_round_brackets_inside_its_own_square_ones():
    # 000 篇四 and 篇五 are both about 信访; the page's own title (森林防火) fits neither, so
    # both titles are the archive's and their pages bracket them whole: [关于信访的讲话（篇四）].
    told = tell_apart(
        [
            speech(4, "关于信访的讲话", marker="篇四", supplied=True),
            speech(5, "关于信访的讲话", marker="篇五", supplied=True),
        ]
    )
    assert [s.display_title for s in told] == ["关于信访的讲话（篇四）", "关于信访的讲话（篇五）"]


def test_speeches_under_one_marker_sharing_a_title_are_numbered_within_it():
    # 004 社区工作者发言稿: the first unmarked; under 二: a training-class speech, an essay
    # (its place stated) and a festival's opening. Numbered within the marker all three,
    # the one with a place too: 之一, 宁波, 之三 left a reader looking for 之二. The page's
    # heading is 社区工作者发言稿二 (line 1045); the count within it is ours.
    told = tell_apart(
        [
            speech(25, "社区工作者发言稿"),
            speech(26, "社区工作者发言稿", marker="二:"),
            speech(27, "社区工作者发言稿", "浙江·宁波", marker="二:"),
            speech(28, "社区工作者发言稿", marker="二:"),
        ]
    )
    assert [s.display_title for s in told] == [
        "社区工作者发言稿[其一]",
        "社区工作者发言稿二[之一]",
        "社区工作者发言稿二[之二]",
        "社区工作者发言稿二[之三]",
    ]


def test_no_evidence_opens_on_a_mark(seed_bytes):
    # The evidence windows opened on marks: ": 今天我们召开集团…" (003, the colon of
    # "同志们:"), ",我都赞同。这次全市旅游工作会议…" (000); 25 of them over the seeds.
    from speeches.ingest.pipeline import parse_document

    opened = []
    for name, raw in seed_bytes.items():
        for speech in parse_document(raw).speeches:
            for field, found in speech.attribution.to_dict().items():
                evidence = found.get("evidence", "") if isinstance(found, dict) else ""
                if evidence[:1] in set(":：,，、;；。"):
                    opened.append((name, speech.ordinal, field, evidence[:20]))
    assert opened == []


def test_evidence_is_quoted_in_whole_clauses_or_says_where_it_was_cut(seed_bytes):
    # The quotes began and ended inside words: "温等因素…" for 气温, "晚,我们紧急召开…" for
    # 今晚, "生育水平保持稳定" for 低生育水平 (73 of 143 on the speech pages).
    from speeches.ingest.pipeline import parse_document

    starts, ends = set(":：,，;；。！？!? "), set(":：,，;；。！？!? ")
    cut = []
    for name, raw in seed_bytes.items():
        for speech in parse_document(raw).speeches:
            text = " " + speech.text.replace("\n", " ") + " "
            for field, found in speech.attribution.to_dict().items():
                evidence = found.get("evidence", "") if isinstance(found, dict) else ""
                quoted = evidence.strip("…")
                # Paragraph 0 is the title; no paragraph, a cue named whole (党的二十大).
                if not evidence or not found.get("paragraph"):
                    continue
                at = text.find(quoted)
                assert at > 0, (name, speech.ordinal, field, evidence)
                before, after = text[at - 1], text[at + len(quoted)]
                if not (evidence.startswith("…") or before in starts or quoted[0] in "“《"):
                    cut.append((name, speech.ordinal, field, evidence))
                if not (evidence.endswith("…") or after in ends or quoted[-1] in ends | set("”》")):
                    cut.append((name, speech.ordinal, field, evidence))
    assert cut == []


def test_a_copy_under_a_marker_of_its_own_keeps_it_inside_a_supplied_title_too():
    # 001's 篇一 is another version of its 篇四 (both about 疫情防控, titled by the archive):
    # it was cited as [关于疫情防控的讲话（篇四）].
    told = tell_apart(
        [
            speech(1, "关于疫情防控的讲话", marker="篇一", duplicate_of=4, supplied=True),
            speech(3, "关于疫情防控的讲话", marker="篇三", supplied=True),
            speech(4, "关于疫情防控的讲话", marker="篇四", supplied=True),
        ]
    )
    assert [s.display_title for s in told] == [
        "关于疫情防控的讲话（篇一）",
        "关于疫情防控的讲话（篇三）",
        "关于疫情防控的讲话（篇四）",
    ]
