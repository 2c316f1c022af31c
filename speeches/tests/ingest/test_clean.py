"""Junk lines and rejoining: site chrome goes, everything that belongs to a speech stays."""

from __future__ import annotations

import pytest

from speeches.ingest.clean import clean_lines
from speeches.ingest.restore import restore_lines


def cleaned(raw: str) -> list[str]:
    lines, _ = clean_lines(restore_lines(raw)[0])
    return [line.text for line in lines if line.text]


@pytest.mark.parametrize(
    "line",
    [
        "首页>讲话稿>在城管工作会议上的讲话稿(精选20篇)",  # 004
        "字號:",  # 001
        "作者:BW笔侠 在城管工作会议上的讲话稿(精选20篇)",  # 004
        "下面是小編為大家整理的,供大家參考。",  # 000
        "僅供參考。",  # 003
        "如果你正在寫總結(jié)的時候遇到困難,不妨看一看以下的總結(jié)范文,或許會對你有所幫助。",  # 001
        "天文學不僅是一門學問,也是一種熱愛。在寫總結之前,我們需要先梳理自己的思路和觀點。這些范文可能涵蓋了一些你之前從未接觸過或思考過的內(nèi)容。",  # 000
        "頁,當前第。",  # 003
        "3",
        "1.",  # 001: an emptied HTML list
    ],
)
def test_it_removes_a_chrome_line(line):
    assert cleaned(line) == []


def test_it_removes_the_seo_line_at_the_top_of_a_page():
    raw = "亚洲免费乱码视频,日韩 欧美 国产 动漫 一区,97在线观看免费视频播国产,中文字幕亚洲图片\n同志们:"
    assert cleaned(raw) == ["同志们:"]


@pytest.mark.parametrize(
    "line",
    [
        "就講這些,謝謝大家!",  # 000: the end of a speech
        "希望大家認真分析,集思廣益,",  # 000: a speech, not "希望对大家有所帮助"
        "下面,我講幾點意見,供大家參考。",
        "共同開發新品,培育一批有較強實力的創新型企業。",
    ],
)
def test_it_keeps_lines_that_belong_to_a_speech(line):
    assert len(cleaned(line)) == 1


def test_it_puts_a_link_word_back_into_its_title():
    # 004: "年初《政府。" / "工作报告。" / "》明确提出"
    assert cleaned("年初《政府。\n\n工作报告。\n\n》明确提出,要着力改善") == ["年初《政府工作报告》明确提出,要着力改善"]


def test_it_puts_a_link_word_back_into_its_sentence():
    # 004: "…审议政府。" / "工作报告。" / "时要求,…"
    assert cleaned("南京团审议政府。\n\n工作报告。\n\n时要求,企业都要建立技术中心") == [
        "南京团审议政府工作报告时要求,企业都要建立技术中心"
    ]


def test_a_link_word_before_a_new_paragraph_ends_the_sentence():
    assert cleaned("我们开展了安全检查。\n工作总结。\n一、提高认识") == ["我们开展了安全检查工作总结。", "一、提高认识"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # 001: a linked word the link bar does not list, inside a title
        (
            "落實新冠肺炎。\n疫情。\n防控工作主體責任和監(jiān)督責任方案》明確了各級教育行政部門、各級各類學校和幼兒園的主體責任,",
            "落实新冠肺炎疫情防控工作主体责任和监督责任方案》明确了各级教育行政部门、各级各类学校和幼儿园的主体责任,",
        ),
        # 001: inside a sentence
        (
            "以有力有效的監(jiān)督,推動疫情防控。\n工作。\n落實落細,確保防控措施和工作要求不折不扣落實到位。",
            "以有力有效的监督,推动疫情防控工作落实落细,确保防控措施和工作要求不折不扣落实到位。",
        ),
        # 001: after an opening quote, and a closing quote opening the next line
        (
            "三要帶頭轉(zhuǎn)變作風。持續(xù)鞏固和拓展“。\n兩學一做。\n”學習教育成果,建設(shè)形成常態(tài)化機制。",
            "三要带头转变作风。持续巩固和拓展“两学一做”学习教育成果,建设形成常态化机制。",
        ),
        (
            "精心準備“。\n開學。\n第一課”,突出體現(xiàn)培根鑄魂、啟智潤心。",
            "精心准备“开学第一课”,突出体现培根铸魂、启智润心。",
        ),
        # 001: the cut-off word opens a sentence of its own
        (
            "這部分人員要在明天下午18:00前全部清零。\n要加強對。\n10月1日后自外省乘坐公共交通工具返回,以及曾在旅游景點等人群密集場所駐留的人員",
            "这部分人员要在明天下午18:00前全部清零。要加强对10月1日后自外省乘坐公共交通工具返回,以及曾在旅游景点等人群密集场所驻留的人员",
        ),
        # 003: after a heading the paragraph goes on past
        (
            "(一)調(diào)研工作蓬勃開展。一年來,我省共青團調(diào)查研究的。\n調(diào)查報告。\n的邏輯性,受到各方面的廣泛好評。",
            "(一)调研工作蓬勃开展。一年来,我省共青团调查研究的调查报告的逻辑性,受到各方面的广泛好评。",
        ),
        # 003: a new sentence after the word
        (
            "把政協(xié)宣傳工作納入縣委宣傳工作總體安排和。\n年度工作計劃。\n縣委宣傳部制發(fā)文件,要求縣內(nèi)主流媒體",
            "把政协宣传工作纳入县委宣传工作总体安排和年度工作计划。县委宣传部制发文件,要求县内主流媒体",
        ),
    ],
)
def test_a_word_the_site_cut_out_of_its_sentence_goes_back_in_though_no_list_names_it(raw, expected):
    assert cleaned(raw) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # An audit's pages of new text, cut as the seeds are: the rest of the sentence is a
        # short line, which was taken for a title, and the three lines stayed apart.
        ("安全生产首先要看安全。\n工作。\n抓得实不实。", "安全生产首先要看安全工作抓得实不实。"),
        ("为办好人民满意的。\n教育。\n作出新的贡献！", "为办好人民满意的教育作出新的贡献！"),
    ],
)
def test_a_cut_out_word_goes_back_in_when_the_rest_of_its_sentence_is_a_short_line(raw, expected):
    assert cleaned(raw) == [expected]


def test_a_byline_between_a_title_and_a_date_line_each_with_the_sites_stop_is_not_joined_to_either():
    # A review's page in 003's shape: the three lines became one title.
    lines = cleaned("在全县教育工作会议上的讲话。\n县长张三。\n（2019年3月5日）。\n同志们：")
    assert lines[-1] == "同志们：" and len(lines) == 4


def test_a_cut_out_word_before_a_short_title_line_stays_apart_from_the_title():
    # A title line ends with no stop: what follows the word is a new speech's title.
    assert cleaned("我们开展了安全检查。\n工作。\n在全县防汛工作会议上的讲话")[-1] == "在全县防汛工作会议上的讲话"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # 001, lines 93-94 and 102-103 of the page (pinyin annotations as scraped)
        (
            "自已發(fā)生本土疫情地區(qū)及后續(xù)發(fā)生疫情地區(qū)來德人員,到我市要攜帶。\n"
            "48小時內(nèi)核酸檢測陰性證明,抵達我市后再進行1次核酸檢測。",
            "自已发生本土疫情地区及后续发生疫情地区来德人员,到我市要携带48小时内核酸检测阴性证明,抵达我市后再进行1次核酸检测。",
        ),
        (
            "各督導組要采取。\n“四不兩直”等方式,加強督導檢查,要真督實導,敢于動真碰硬",
            "各督导组要采取“四不两直”等方式,加强督导检查,要真督实导,敢于动真碰硬",
        ),
    ],
)
def test_a_sentence_the_site_cut_after_a_verb_that_takes_an_object_reads_on(raw, expected):
    assert cleaned(raw) == [expected]


def test_a_paragraph_after_such_a_verb_and_a_sentence_ending_in_another_verb_stay_apart():
    # "采取" then a numbered paragraph: a new paragraph, whatever came before it.
    assert cleaned("各单位要采取。\n一、提高认识") == ["各单位要采取。", "一、提高认识"]
    # 001: "…及时跟进督导。" ends its sentence; the next line is a sentence of its own.
    assert cleaned("各级指挥部要及时调度,及时跟进督导。\n自已发生本土疫情地区来德人员,到我市要报备") == [
        "各级指挥部要及时调度,及时跟进督导。",
        "自已发生本土疫情地区来德人员,到我市要报备",
    ]


def test_a_short_last_line_and_a_short_line_after_a_salutation_or_a_bare_heading_stay_paragraphs():
    # 003 ends "…譜寫xx公路事業(yè)嶄新篇章!" / "謝謝大家。"; 004 "同志們:" / "大家好。"
    assert cleaned("譜寫xx公路事業(yè)嶄新篇章!\n謝謝大家。") == ["谱写xx公路事业崭新篇章!", "谢谢大家。"]
    assert cleaned("同志們:\n大家好。\n非常感謝李紅主任對考務(wù)工作安排的辛苦付出") == [
        "同志们:",
        "大家好。",
        "非常感谢李红主任对考务工作安排的辛苦付出",
    ]
    assert cleaned("一、方向要明確。\n總體要求。\n建設無廢城市的目標很明確") == [
        "一、方向要明确。",
        "总体要求。",
        "建设无废城市的目标很明确",
    ]


def test_a_link_word_inside_chrome_stays_junk():
    raw = "下面是本站小编给大家整理的城市工作会议上的。\n\n讲话稿。\n\n仅供参考。"
    assert cleaned(raw) == []


def test_the_report_counts_each_rule_and_the_rejoins():
    lines, report = clean_lines(restore_lines("首页>讲话稿\n审议政府。\n工作报告。\n时要求\n3")[0])
    assert report.counts["breadcrumb"] == 1
    assert report.counts["pagination"] == 1
    assert report.counts["sentences_rejoined"] == 1
    assert len(lines) == 5  # one Line per source line, always


def test_the_sites_signature_inside_a_sentence_goes_and_the_sentence_reads_on():
    # 001, line 49, as scraped.
    raw = "按照“應(yīng)接盡接”的原則,文名公眾號整理,全面摸排疫苗接種信息,精準統(tǒng)計、掌握底數(shù)"
    assert cleaned(raw) == ["按照“应接尽接”的原则,全面摸排疫苗接种信息,精准统计、掌握底数"]


def test_no_speech_of_the_sample_holds_the_sites_signature(seed_bytes):
    from speeches.ingest.pipeline import parse_document

    for name, raw in seed_bytes.items():
        for speech in parse_document(raw).speeches:
            assert "公众号整理" not in speech.text, (name, speech.ordinal)


def test_a_product_the_site_sets_into_its_sentences_goes_in_full_and_shortened():
    # 003, lines 7 and 8, as scraped (cut short).
    raw = "制造業(yè)也不例外,壓力機濾布全球化制造已成為制造業(yè)發(fā)展的主流\n和新技術(shù)革命的機遇。濾布目前我市尚處在工業(yè)化進程中期"
    assert cleaned(raw) == [
        "制造业也不例外,全球化制造已成为制造业发展的主流",
        "和新技术革命的机遇。目前我市尚处在工业化进程中期",
    ]


def test_the_short_name_of_a_product_stays_on_a_page_that_does_not_advertise_it():
    assert cleaned("更換壓濾機的濾布,減少污泥外運") == ["更换压滤机的滤布,减少污泥外运"]


# Link words and the "hidden content" notice cutting sentences, as scraped (traditional,
# pinyin and all); each expected text read from the source around it.
@pytest.mark.parametrize(
    "raw, expected",
    [
        (  # 001: a name cut in two, with the 。 the site added on both sides
            "全市上下要堅決落實蒿。\n書記。\n要求,把蒿書記的要求作為當前重點關(guān)鍵工作來抓",
            ["全市上下要坚决落实蒿书记要求,把蒿书记的要求作为当前重点关键工作来抓"],
        ),
        (  # 000: the link word inside the sentence, which reads on after it
            "把信息技術素養(yǎng)作為教師業(yè)務提升的基本要求,納入。\n崗位職責。\n和考核評價,并在職稱評聘",
            ["把信息技术素养作为教师业务提升的基本要求,纳入岗位职责和考核评价,并在职称评聘"],
        ),
        (  # 003: the link word ends its sentence; the next one starts after it
            "各級領(lǐng)導(dǎo)重視和關(guān)心信息工作也是一項重要。\n崗位職責。\n信息工作不是無關(guān)緊要的,而是我們的“份內(nèi)事”",
            ["各级领导重视和关心信息工作也是一项重要岗位职责。信息工作不是无关紧要的,而是我们的“份内事”"],
        ),
        (  # 001: the notice cut a word, after the 。 the site added
            "充分認識常態(tài)化疫。\n        當前隱藏內(nèi)容免費查看情防控工作的重要性和必要性。",
            ["充分认识常态化疫情防控工作的重要性和必要性。"],
        ),
        (  # 001: the notice cut a sentence with no mark at all
            "不再進行單獨評估,推動項目\n        當前隱藏內(nèi)容免費查看快速高效落地建設(shè)。",
            ["不再进行单独评估,推动项目快速高效落地建设。"],
        ),
        (  # 000: after a colon the notice began a paragraph, which stays one
            "我再強調(diào)六個方面:\n當前隱藏內(nèi)容免費查看重點要“東風勁吹抓好一批”",
            ["我再强调六个方面:", "重点要“东风劲吹抓好一批”"],
        ),
    ],
)
def test_a_sentence_cut_by_a_link_word_or_the_hidden_content_notice_reads_whole_again(raw, expected):
    assert cleaned(raw) == expected


def test_a_speech_whose_real_last_line_is_short_keeps_it():
    assert cleaned("今天就講這些。\n謝謝大家。") == ["今天就讲这些。", "谢谢大家。"]
    assert cleaned("這是我們的共同責任。\n謝謝!") == ["这是我们的共同责任。", "谢谢!"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (  # 001
            "結果與省市簽訂的。\n責任書。\n指標要求對照分析,當前全市人口",
            ["结果与省市签订的责任书指标要求对照分析,当前全市人口"],
        ),
        (  # 003
            "扎實開展共產(chǎn)黨員。\n先進性教育。\n活動,結(jié)合反腐敗工作",
            ["扎实开展共产党员先进性教育活动,结合反腐败工作"],
        ),
        (  # 003: after a colon, kept
            "必須要在以下四個方面下功夫:\n先進性教育。\n的主線,研究貫徹縣委全委會",
            ["必须要在以下四个方面下功夫:先进性教育的主线,研究贯彻县委全委会"],
        ),
    ],
)
def test_the_link_words_of_the_sample_go_back_into_their_sentences(raw, expected):
    assert cleaned(raw) == expected


def test_a_sentence_that_ends_before_a_link_word_keeps_its_stop():
    # 001, lines 326-328: item 2 ends at 万无一失; the page lost the opening of item 3,
    # of which 合同管理制度 is what survives.
    raw = "在省市考核中做到萬無一失。\n合同。\n管理制度,部門齊抓共管制度。對協(xié)查信息及時進行協(xié)查和反饋"
    assert cleaned(raw) == ["在省市考核中做到万无一失。合同管理制度,部门齐抓共管制度。对协查信息及时进行协查和反馈"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (  # 000, line 221: the site wrote 本站 for 局 in 局域网; the line is the speech's
            "使包括教學點在內(nèi)的所有學校全部實現(xiàn)了本站域網(wǎng)接入,提前實現(xiàn)了“校校通”,",
            ["使包括教学点在内的所有学校全部实现了局域网接入,提前实现了“校校通”,"],
        ),
        (  # 000, line 298
            "進提供基本條件保障。統(tǒng)一規(guī)劃本站域網(wǎng)建設。",
            ["进提供基本条件保障。统一规划局域网建设。"],
        ),
        (  # 001, line 479: another site's signature, dotted
            "推進消防裝備設施配備和企業(yè)消防力量建設(shè),公.文思.享文.庫出.品,提升消防安全應(yīng)急處置能力",
            ["推进消防装备设施配备和企业消防力量建设,提升消防安全应急处置能力"],
        ),
        (  # 002, line 99: a mark after 的 to break copying
            "由單一的教育體系向多元化的教育體系的.轉(zhuǎn)變,教育不",
            ["由单一的教育体系向多元化的教育体系的转变,教育不"],
        ),
        (  # 003, lines 17 and 492: a backquote
            "突出培訓(xùn)的`針對性和目的性。\n要加強和各部門的`溝通,切實把信息化技術(shù)",
            ["突出培训的针对性和目的性。", "要加强和各部门的沟通,切实把信息化技术"],
        ),
        (  # 004, lines 189 and 853
            "部分辅警对线索的.提供还不够。\n工作的最有力的'体现。成绩考的不好",
            ["部分辅警对线索的提供还不够。", "工作的最有力的体现。成绩考的不好"],
        ),
        (  # 004, line 601: a reading the site emptied
            "效益十分明显。从目()前来看,在我区农业中,还没",
            ["效益十分明显。从目前来看,在我区农业中,还没"],
        ),
        (  # 000, lines 174-176: a 。 set after the salutation's colon
            "下面是小編為大家整理的,供大家參考。\n同志們:。\n今天,我們在這里召開",
            ["同志们:", "今天,我们在这里召开"],
        ),
        (  # 003, line 98: before the sentence's comma
            "三角重要的制造業(yè)生產(chǎn)基地。,容桂的工業(yè)銷售",
            ["三角重要的制造业生产基地,容桂的工业销售"],
        ),
        (  # 003, line 301: after the sentence's own 。
            "提高縣域教育信息化基礎(chǔ)支撐能力水平。。各地要積極鼓勵教師應",
            ["提高县域教育信息化基础支撑能力水平。各地要积极鼓励教师应"],
        ),
        (  # 003, lines 371-372: after a list item's semicolon
            "一是要規(guī)范建設(shè)用地報批程序;。\n二是要進一步提高建",
            ["一是要规范建设用地报批程序;", "二是要进一步提高建"],
        ),
    ],
)
def test_what_a_site_put_inside_a_sentence_goes_and_its_words_are_the_speechs_again(raw, expected):
    assert cleaned(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        (  # 001, line 428: as 学前教育普及普惠x类 writes it a few characters later
            "對標義務(wù)教育優(yōu)質(zhì)均衡x 類、x項指標和學前教育普及普惠x類、x項指標,健全機制",
            "对标义务教育优质均衡x类、x项指标和学前教育普及普惠x类、x项指标,健全机制",
        ),
        (  # 001, line 441
            "認真落實城鄉(xiāng)統(tǒng)一的教職工編制標準, 加快推進“縣管校聘”改革,探索建立",
            "认真落实城乡统一的教职工编制标准,加快推进“县管校聘”改革,探索建立",
        ),
        (  # 002, line 99
            "就必須在牢牢抓住“一個(gè)關(guān)鍵點(diǎn)”的同時(shí),促進(jìn) “三個(gè)發(fā)展”,這個(gè)關(guān)鍵點(diǎn)",
            "就必须在牢牢抓住“一个关键点”的同时,促进“三个发展”,这个关键点",
        ),
        # Latin words keep their spaces, as does a short title line between its phrases.
        ("世界银行 World Bank 的贷款,加快建设", "世界银行 World Bank 的贷款,加快建设"),
        ("立足新起点 开启新征程", "立足新起点 开启新征程"),
    ],
)
def test_a_space_inside_a_sentence_of_chinese_prose_goes(raw, expected):
    assert cleaned(raw) == [expected]


def test_an_ellipsis_typed_as_three_full_stops_stays():
    assert cleaned("要求大家。。。") == ["要求大家。。。"]


def test_a_sentence_the_site_cut_twice_takes_both_link_words_back():
    # 003, lines 334-338 (the middle line cut to its first sentence and its last): the
    # second link word's sentence had already been joined to the line before the first.
    raw = (
        "區(qū)里要研究某一個方面的。\n工作方案。\n"
        "把任務(wù)布臵給單位單位主要負責同志布臵給分管的分管的布臵給各科室科室負責同志布臵給一般工作人員。"
        "有時特殊需要主辦鄉(xiāng)鎮(zhèn)或部門把會議。\n活動方案。\n"
        "報有關(guān)區(qū)領(lǐng)導(dǎo),領(lǐng)導(dǎo)同意了"
    )
    assert cleaned(raw) == [
        "区里要研究某一个方面的工作方案把任务布置给单位单位主要负责同志布置给分管的分管的布置给各科室科室负责同志"
        "布置给一般工作人员。有时特殊需要主办乡镇或部门把会议活动方案报有关区领导,领导同意了"
    ]


def test_the_sample_keeps_the_paragraphs_that_say_local_area_network(seed_bytes):
    from speeches.ingest.pipeline import parse_document

    texts = "\n".join(s.text for s in parse_document(seed_bytes["000_e3c50620afa4a9e1.txt"]).speeches)
    # 000, lines 221 and 298: whole paragraphs once dropped as the site's own words.
    assert "一是基础设施建设基本完善。" in texts
    assert "(一)加强信息化环境建设,实施信息化环境升级工程。" in texts
    assert "本站" not in texts


def test_a_repaired_run_writes_its_signs_as_the_page_writes_them():
    # 001, line 236: the damaged run is GBK bytes of "保”（防控疫情、", whose repair says
    # "（"; the page writes ASCII signs only ("扎實做好", "動員,").
    raw = "動員,全面動員,扎實做好“一防三?!保ǚ揽匾咔?、保安全生產(chǎn)、保職工健康、保能源供"
    [text] = cleaned(raw)
    assert "（" not in text and "”(防控疫情、保安全生产、保职工健康" in text
    # A page that writes a full-width sign itself keeps it.
    assert cleaned("全面動員，扎實做好“一防三?!保ǚ揽匾咔?、保安全生產(chǎn)")[0].startswith("全面动员，扎实做好")


def test_a_sign_the_page_never_writes_is_marked_where_a_repair_wrote_it():
    # 000, line 90: "管控在當?shù)兀芑庠诋數(shù)?。" is 管控在当地、化解在当地。, but the repair
    # read ＼ for 、; neither ＼ nor \\ stands anywhere in the page.
    raw = "確保將重點群體、重點對象管控在當?shù)兀芑庠诋數(shù)?。不能出現(xiàn)重點對象離開了轄地"
    [text] = cleaned(raw)
    assert text == "确保将重点群体、重点对象管控在当地〓化解在当地。不能出现重点对象离开了辖地"


def test_a_speechs_title_lines_lose_the_stop_the_site_set_after_them(seed_bytes):
    from speeches.ingest.pipeline import parse_document

    openings = [s.text.split("\n")[:3] for s in parse_document(seed_bytes["003_2b7a5b5f4b6eab26.txt"]).speeches]
    # 003, lines 191-193: a title and a byline, each with a 。 after it, then the speech.
    assert openings[8][:2] == ["充实队伍完善机制丰富抓手", "民革宣城市委会"]
    assert openings[8][2].startswith("了解和反映社情民意,")
    # 003, lines 281-283: a title line and a date line.
    assert openings[12] == ["应若平副厅长在20xx年度全省市州", "(20xx年3月10日)", "同志们:"]


def test_a_whole_html_pages_doctype_and_head_are_no_text_of_it(seed_bytes):
    from speeches.ingest.pipeline import parse_document

    body = seed_bytes["004_d07954890cd01a7b.txt"].decode("utf-8")[:20000]
    page = (
        "<!DOCTYPE html>\n<html lang='zh'>\n<head>\n<meta charset='utf-8'>\n"
        "<title>城管工作会议讲话稿范文大全_公文网站首页_免费下载各类讲话稿范文精选汇编</title>\n"
        "<style>p{margin:0}</style>\n</head>\n<body>\n" + body + "\n</body>\n</html>\n"
    )
    parsed = parse_document(page.encode("utf-8"))
    everything = "\n".join([parsed.preamble, *(s.title + "\n" + s.text for s in parsed.speeches)])
    assert "DOCTYPE" not in everything and "公文网站首页" not in everything
    assert parsed.speeches and parsed.speeches[0].text.startswith("同志们")
