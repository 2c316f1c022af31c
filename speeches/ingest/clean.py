"""Junk lines: site chrome, SEO spam, pagination scraps, link words; and the sentences they broke.

Rules work on restored (simplified) text, so each pattern is written once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from .breaks import is_title_line
from .mojibake.constants import MARKER
from .script import ascii_form
from .sections import heading_kind
from .types import Line, StepReport

# Each rule names the seed excerpt that forced it.
_CHROME_RULES: tuple[tuple[str, re.Pattern], ...] = (
    # 004: "首页>讲话稿>在城管工作会议上的讲话稿(精选20篇)"
    ("breadcrumb", re.compile(r"^首页\s*[>＞›»]")),
    # 001: "字號:" alone on a line
    ("font-size", re.compile(r"^字号[:：]?\s*(大|中|小|\s)*$")),
    # 004: "作者:BW笔侠 在城管工作会议上的讲话稿(精选20篇)"
    ("author", re.compile(r"^(作者|来源|发布时间|时间|编辑)[:：]")),
    # 000/002/003/004: "下面是小编为大家整理的…", "仅供参考。" alone, "希望对大家有所帮助".
    # Not "希望大家…" or "…供大家参考" on their own: speeches say that too (000 "希望大家认真
    # 分析", "我讲几点意见,供大家参考").
    (
        "editor-boilerplate",
        re.compile(
            r"小编|范文网|文档网|本站|^仅供参考[。.]?$|以下是.{0,20}(整理|收集)|(整理|收集)的.{0,40}(仅供参考|供大家参考)"
            r"|希望(对|能对|能给|能帮助|可以帮助)大家|希望大家喜欢"
            # 001 line 14: "…不妨看一看以下的总结范文,或许会对你有所帮助。"; 000 line 1:
            # "天文学不仅是一门学问…这些范文可能涵盖了一些你之前从未接触过或思考过的内容。"
            r"|以下的?.{0,8}范文|这些范文|(或许|也许)(会|能)对你有所帮助"
        ),
    ),
    # 001: "1. <legend id=…>" – the numbers of an HTML list whose items were all tags.
    ("list-scrap", re.compile(r"^[0-9]{1,2}[.、]$")),
    # 000: "当前隐藏内容免费查看" glued to the start of a paragraph is handled in strip_inline_chrome
    # 003: "共" / "3" / "页,当前第。" / "1" / "页" broken over lines
    ("pagination", re.compile(r"^(共|页|頁|[0-9]{1,3}|页[,，]?\s*当前第[。.]?|当前第|上一页|下一页|[0-9]{1,3}\s*页)$")),
)

# 004: words from the site's link bar inserted as lone lines inside sentences
# ("…通报了20xx年外宣。" / "工作总结。" / "及20xx年外宣工作安排").
LINK_WORDS = frozenset(
    "教案 课件 工作报告 工作总结 总结 工作计划 计划 心得体会 演讲稿 讲话稿 发言稿 致辞 "
    "主持词 述职报告 自我鉴定 申请书 合同 散文 作文 说说 句子 个人简历 简历 思想汇报 "
    "实习报告 调研报告 自查报告 整改报告 对照检查材料 策划书 倡议书 承诺书 检讨书 "
    "读后感 观后感 祝福语 口号 标语 主题班会 手抄报 范文 "
    # 004 again: "七集电视系列。" / "散文。", "新闻宣传。" / "应急预案。", "食品质量安全。" / "承诺书。"
    "应急预案 工作方案 保证书 规章制度 实施方案 活动方案 "
    # 000 "纳入。" / "岗位职责。" / "和考核评价", 003 "一项重要。" / "岗位职责。";
    # 001 "坚决落实蒿。" / "书记。" / "要求,把蒿书记的要求…" (a name cut in two);
    # 001 "与省市签订的。" / "责任书。" / "指标要求"; 003 "扎实开展共产党员。" / "先进性教育。" /
    # "活动", "交流心得体会。" / "考察报告。" / "等文章".
    "岗位职责 书记 责任书 先进性教育 考察报告".split()
)

# Products a site advertises by setting their names into the sentences of its pages, for
# search engines, in full and shortened: 003 "制造業也不例外,壓力機濾布全球化制造已成為…",
# "…革命的機遇。濾布目前我市尚處在…". The short name is a word a speech may use, so it is
# taken out only on a page that carries the full one.
ADVERTS = {"压力机滤布": "滤布"}
HIDDEN_CONTENT = re.compile(r"当前隐藏内容免费查看")
INLINE_CHROME = (
    # 000: "當前隱藏內(nèi)容免費查看重點要…"; see also cut_by_chrome.
    HIDDEN_CONTENT,
    # 001: "按照“應(yīng)接盡接”的原則,文名公眾號整理,全面摸排疫苗接種信息" – the
    # site's signature inside a sentence, with the comma the site set after it.
    re.compile(r"文名公众号整理[,，]?"),
    # 001: "…企業消防力量建設,公.文思.享文.庫出.品,提升消防安全…" – another site's
    # signature, dotted so that it is not one word.
    re.compile(r"公\.?文\.?思\.?享\.?文\.?库\.?出\.?品[,，]?"),
    # A mark the site set after 的 to break copying: 002 "教育體系的.轉變", 003 "傳統的.管理
    # 模式", "培訓的`針對性", "各部門的`溝通", 004 "線索的.提供", "更高的.起點", "最有力的'體現".
    # (The marks first, the look behind after: a pattern that starts with a look behind
    # is tried at every character of every line.)
    re.compile(r"[.'`](?<=的[.'`])(?=[\u4e00-\u9fff])"),
    # An emptied reading between two characters: 004 "從目()前來看".
    re.compile(r"\(\)(?<=[\u4e00-\u9fff]\(\))(?=[\u4e00-\u9fff])"),
    # A 。 the site set beside a mark of the sentence's own, where it took a word out:
    # 000 and 004 "同志們:。", 003 "用地報批程序;。", "基地。,容桂", "能力水平。。各地". No
    # sentence of Chinese prose writes 。 next to these marks; the sentence's own mark
    # stays. Three or more 。 are an ellipsis some writers type, and stay.
    # (The stop first, the look-arounds after: see above.)
    re.compile(r"。(?:(?<=[:：;；,，、]。)|(?<!。。)(?=[,，、;；]|。(?!。)))"),
)
# Words the site replaced: 000 "實現了本站域網接入", "統一規劃本站域網建設", "本站域光纖網絡"
# (局域网; the site wrote 本站 for 局 in 局域 only, and 局 elsewhere).
SITE_REWRITES = ((re.compile(r"本站域"), "局域"),)

_SENTENCE_END = "。！？!?；;：:…”」』）)"
HAN_CHAR = re.compile(r"[\u3400-\u9fff]")


# 001's first line: "亚洲免费乱码视频,日韩 欧美 国产 动漫 一区,97在线观看免费视频播国产,…"
_SPAM_WORDS = re.compile(r"免费|视频|在线|观看|亚洲|国产|欧美|日韩|字幕|乱码|一区|二区|高清|无码|av|AV")


def is_seo_spam(text: str) -> bool:
    """Comma-separated search phrases with no sentence in them, and the vocabulary of
    the spam that pays for such sites. Shape alone is not enough: a speech may open
    with three short phrases ("主要任务,工作重点,具体要求")."""
    if re.search(r"[。！？!?；;：:]", text) or text.endswith((",", "，")):
        return False
    parts = [p for p in re.split(r"[,，]", text) if p.strip()]
    return len(parts) >= 3 and len(_SPAM_WORDS.findall(text)) >= 2


def _junk_reason(line: Line, index: int) -> str:
    text = line.text.strip()
    if not text:
        return "blank"
    if index < 3 and is_seo_spam(text):
        return "seo-spam"
    for name, pattern in _CHROME_RULES:
        if pattern.search(text):
            return name
    if text.rstrip("。.") in LINK_WORDS:
        return "link-word"
    return ""


def strip_inline_chrome(text: str) -> str:
    for pattern, word in SITE_REWRITES:
        text = pattern.sub(word, text)
    for pattern in INLINE_CHROME:
        text = pattern.sub("", text)
    return text


def page_adverts(made: str) -> re.Pattern | None:
    """The names, full and short, of the products ADVERTS lists that the page's text carries."""
    names = [name for full, short in ADVERTS.items() if full in made for name in (full, short)]
    return re.compile("|".join(map(re.escape, names))) if names else None


# Full-width signs a page may write in ASCII instead (script.ascii_form).
_WIDE_SIGNS = "，（）：；！？"


def page_signs(lines: tuple[Line, ...], made: str) -> dict[int, str]:
    """A str.translate table writing the signs of repaired text as the page writes them.
    The seeds write ASCII signs only ("一、坚持与时俱进,科学发展"); a damaged run is the GBK
    bytes of the text before the site changed its signs, so its repair says "，" and
    "（" (001 "向属地报备，主动", "一防三〓”（防控疫情"). A sign the page writes in both
    widths is left as it is.

    A rarer sign the page never writes at all came from a misread run, and is marked:
    000's "管控在當?shù)兀芑庠诋數(shù)?" came out 当地＼化解在当地, where the page writes 、
    (the only other steps that make text, markup's entities and OpenCC, make no such
    sign). The signs of Chinese prose are left to the repair, which a short page may
    not show (a closing quote, the title step's ·)."""
    # Substring tests and one search for rare signs, all in C: a set of every character
    # of a 50 MB page, made in Python, was a third of the restoration's time.
    source = "\n".join(line.raw for line in lines)
    table = {
        ord(wide): ascii_form(wide)
        for wide in _WIDE_SIGNS
        if wide in made and ascii_form(wide) in source and wide not in source
    }
    for sign in set(_RARE_SIGN.findall(made)):
        if ascii_form(sign) not in source and sign not in source and unicodedata.category(sign)[0] in "PS":
            table[ord(sign)] = MARKER
    return table


# Signs of ordinary Chinese prose, in either width, and the marker itself; any other
# character that is neither a letter, a digit, a Han character nor a space.
_PROSE_SIGNS = "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』…—·,.;:?!()\"'-%/" + MARKER
_RARE_SIGN = re.compile(f"[^\\w\\s{re.escape(_PROSE_SIGNS)}]")


# A space inside a sentence of Chinese prose is the page's, not the speaker's (002 "优质
# 均衡x 类、x项指标", ", 加快推进", "促进 “三个发展”", 003 "审〓 切实"): a reader does not see
# it, and a query, which drops spaces next to Han characters, could not match across it.
# Between Latin words a space stays; so does the one a short title line may set between
# its two phrases.
_STRAY_SPACE = re.compile(
    r"(?:(?<=[\u3400-\u9fff，。、；：！？“”（）《》,;:!?〓])|(?<=[\u3400-\u9fff]x)) +(?=[\u3400-\u9fff“《（〓])"
)
_PROSE = re.compile(r"[，。；：！？,;:!?]")
TITLE_LINE_MAX = 30  # as breaks.is_title_line: a short line without a comma is a title


def without_stray_spaces(text: str) -> str:
    if " " not in text or (len(text) <= TITLE_LINE_MAX and not _PROSE.search(text)):
        return text
    return _STRAY_SPACE.sub("", text)


# Private-use characters are never text: GBK's user-defined area, decoded out of a damaged
# run the mojibake step left part raw (001 "確?!按宀宦\ue7ef?" for 确保“村不漏户).
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def clean_lines(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], StepReport]:
    counts: dict[str, int] = {}
    examples: list[str] = []
    out: list[Line] = []
    words: dict[int, str] = {}
    chrome_cut: set[int] = set()
    made = "\n".join(line.text for line in lines)  # the page's restored text
    signs = page_signs(lines, made)
    adverts = page_adverts(made)
    # Only lines holding such a sign are translated (str.translate reads every character).
    resigned = re.compile("[" + "".join(re.escape(chr(code)) for code in signs) + "]") if signs else None
    for index, line in enumerate(lines):
        if HIDDEN_CONTENT.match(line.text.strip()):
            chrome_cut.add(index)
        text = without_stray_spaces(_PRIVATE_USE.sub(MARKER, strip_inline_chrome(line.text.strip())))
        if adverts is not None:
            text = adverts.sub("", text)
        if resigned is not None and resigned.search(text):
            text = text.translate(signs)
        if text != line.text:  # restore_lines already stripped most: spare a copy per line
            line = replace(line, text=text)
        reason = _junk_reason(line, index)
        if reason == "link-word":
            words[index] = line.text.rstrip("。.")
        if reason:
            if reason != "blank":
                counts[reason] = counts.get(reason, 0) + 1
                if len(examples) < 10:
                    examples.append(f"{reason}: {line.raw.strip()[:60]}")
            out.append(replace(line, text="", junk=reason))
        else:
            out.append(line)
    rejoined, joins = rejoin_broken_sentences(tuple(out), words)
    rejoined, cut = rejoin_cut_by_chrome(rejoined, chrome_cut)
    rejoined, stray = rejoin_stray_lines(rejoined)
    counts["sentences_rejoined"] = joins + cut + stray
    return rejoined, StepReport("clean", counts, tuple(examples))


def rejoin_cut_by_chrome(lines: tuple[Line, ...], cut: set[int]) -> tuple[tuple[Line, ...], int]:
    """Join a sentence the site cut to insert its "hidden content" notice at the start
    of a line. 001, four times: "充分认识常态化疫。" / "當前隱藏內容免費查看情防控工作的…",
    "同步排查无证校外。" / "…培训机构", "水土流失。" / "…治理工作", "推动项目" / "…快速高效
    落地建设": the line before ends in a character or in the "。" the site added. After
    any other mark (000 "我再强调六个方面:" / "…重点要…") the notice began a paragraph."""
    out = list(lines)
    joins = 0
    for i in sorted(cut):
        prev = _neighbour(out, i, -1)
        if prev is None or out[prev].junk or out[i].junk or _PARAGRAPH_START.match(out[i].text):
            continue
        before = out[prev].text
        if not before or not (before.endswith("。") or HAN_CHAR.match(before[-1])):
            continue
        out[prev] = replace(out[prev], text=before.removesuffix("。") + out[i].text)
        out[i] = replace(out[i], text="", junk="joined")
        joins += 1
    return tuple(out), joins


# A line that starts a new paragraph, not the rest of a broken sentence.
_PARAGRAPH_START = re.compile(
    r"^(同志们|各位|[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[,，、]|[0-9]+[、.])"
)


# A line of a few characters and the stop the site set after it: a word the site linked
# and cut out of its sentence, as LINK_WORDS, but one its link bar does not list. 001
# "…落实新冠肺炎。" / "疫情。" / "防控工作主体责任和监督责任方案》", "推动疫情防控。" /
# "工作。" / "落实落细", "…对。" / "防控。" / "工作统一领导"; 003 "调查研究的。" /
# "调查报告。" / "的逻辑性".
_STRAY_WORD = re.compile(r"^[\u4e00-\u9fff]{1,6}。$")
# Marks no paragraph opens with, and a stop after an opening quote: what follows such a
# line break is the rest of the sentence. 001 "持续巩固和拓展“。" / "两学一做。" /
# "”学习教育成果", "精心准备“。" / "开学。" / "第一课”", "…自我防护。" / ",对。".
_NO_OPENING = re.compile(r"^[,，、;；:：”’)）》!！?？。]")
# A verb that never ends a sentence (it takes what follows: an object, or after 加以 and
# 予以 a verb), then a stop at the end of a line: the site cut the sentence there and
# set the stop. 001 "到我市要攜帶。" / "48小時內核酸檢測陰性證明", "各督導組要採取。" /
# "“四不兩直”等方式".
_CUT_AFTER_VERB = re.compile(r"[\u4e00-\u9fff](?:采取|携带|加以|予以|给予|具有|成为|属于)。$")


def rejoin_stray_lines(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], int]:
    """Join the rest of a sentence the site broke off: a line opening with a mark no
    paragraph opens with, a line after an opening quote, a line after a verb that
    never ends a sentence, and a stray linked word (both its joints decided as after a
    restored link word, see sentence_joint). Each drops the stop the site added; no
    character is added but that decision's 。."""
    out = list(lines)
    joins = 0
    for i, line in enumerate(out):
        if line.junk or not line.text:
            continue
        prev = _text_neighbour(out, i, -1)
        if prev is None:
            continue
        before, text = out[prev].text, line.text
        nxt = _text_neighbour(out, i, 1) if _STRAY_WORD.match(text) else None
        word = _stray_word(text, out[nxt].text) if nxt is not None else ""
        if _NO_OPENING.match(text) or before.endswith("“。"):
            stem, joint = before.removesuffix("。"), ""
        elif word and before.endswith("。") and not _bare_heading(before):
            stem = before[:-1]
            joint = sentence_joint(stem[-4:], word)
        elif _CUT_AFTER_VERB.search(before) and not _opens_paragraph(text):
            stem, joint, word = before[:-1], "", ""
        else:
            continue
        if word:
            following = out[nxt].text
            after = "" if _NO_OPENING.match(following) else sentence_joint(word, following)
            text = word + after + following
            out[nxt] = replace(out[nxt], text="", junk="joined")
        out[prev] = replace(out[prev], text=stem + joint + text)
        out[i] = replace(line, text="", junk="joined")
        joins += 1
    return tuple(out), joins


def _opens_paragraph(text: str) -> bool:
    return bool(_PARAGRAPH_START.match(text) or is_title_line(text) or heading_kind(text))


def _bare_heading(text: str) -> bool:
    """A heading and nothing more ("一、方向要明确。"): a short paragraph after it is its
    own. 003 "(一)调研工作蓬勃开展。一年来,我省共青团调查研究的。" goes on past its heading."""
    return bool(heading_kind(text)) and "。" not in text[:-1]


# A title line ends with none of these (the site's added 。 aside, which this reads as the
# end of the sentence the word was cut from: "…人民满意的。" / "教育。" / "作出新的贡献！").
_SENTENCE_END = ("。", "！", "？", "!", "?")
_DATE_LINE = re.compile(r"^[(（]?[\dx]{2,4}年(?:[\dx]{1,2}月(?:[\dx]{1,2}日)?)?[)）]?。?$")


def _stray_word(text: str, following: str) -> str:
    """The word of a line _STRAY_WORD matches, when a sentence goes on after it. A short
    line after it that ends a sentence is the rest of it, not a title: the site's cuts
    leave "…首先要看安全。" / "工作。" / "抓得实不实。" (an audit's page of new text)."""
    if text.startswith("谢谢"):
        return ""
    if _PARAGRAPH_START.match(following) or heading_kind(following):
        return ""
    if is_title_line(following) and not following.endswith(_SENTENCE_END):
        return ""
    # A date line under a title and byline, each with the site's 。 after it (003's shape:
    # "…讲话。" / "县长张三。" / "（2019年3月5日）。"): the byline is no word of a sentence.
    if _DATE_LINE.match(following):
        return ""
    return text[:-1]


def _text_neighbour(lines: list[Line], index: int, step: int) -> int | None:
    """The nearest line in that direction with text, passing blank lines and lines
    already joined; None if a junk line stands between."""
    found = _neighbour(lines, index, step)
    while found is not None and lines[found].junk == "joined":
        found = _neighbour(lines, found, step)
    return found if found is not None and not lines[found].junk and lines[found].text else None


def _neighbour(lines: list[Line], start: int, step: int) -> int | None:
    """The nearest line in that direction that is not blank (it may be junk)."""
    index = start + step
    while 0 <= index < len(lines):
        if lines[index].junk != "blank":
            return index
        index += step
    return None


def rejoin_broken_sentences(
    lines: tuple[Line, ...], words: dict[int, str] | None = None
) -> tuple[tuple[Line, ...], int]:
    """Put a link word back into the sentence the site cut it out of.

    The site turned words into links and set each on its own line, ending the cut
    sentence with a spurious "。": 004 "…审议政府。" / "工作报告。" / "时要求,…" is
    "…审议政府工作报告时要求,…", and "年初《政府。" / "工作报告。" / "》明确提出" is
    "年初《政府工作报告》明确提出". The word belongs to the speech, so it stays.
    """
    out: list[Line] = list(lines)
    joins = 0
    # A line joined to the one before a link word, by the line it now stands in: the
    # site cut one sentence twice (003 "…某一个方面的。" / "工作方案。" / "把任务…把会议。" /
    # "活动方案。" / "报有关区领导…"), and the second word goes where the first one's
    # sentence went on.
    moved: dict[int, int] = {}
    for i, line in enumerate(out):
        if line.junk != "link-word":
            continue
        prev, nxt = _neighbour(out, i, -1), _neighbour(out, i, 1)
        while prev in moved:
            prev = moved[prev]
        if prev is None or out[prev].junk:
            continue
        before = out[prev].text
        word = (words or {}).get(i, _link_word(line))
        if before.endswith("。"):
            # The stop the site added when it cut the sentence, unless the model reads a
            # sentence ending there (as it decides the joint after the word, and as
            # rejoin_stray_lines decides both): 001 "…在省市考核中做到万无一失。" / "合同。" /
            # "管理制度,部门齐抓共管制度" lost the start of its next item, not a word.
            stem = before[:-1]
            stem += sentence_joint(stem[-4:], word)
        elif before.endswith((":", "：")):
            stem = before  # 003 "必须要在以下四个方面下功夫:" / "先进性教育。" / "的主线,…"
        else:
            continue
        text = stem + word
        if nxt is not None and not out[nxt].junk and not _PARAGRAPH_START.match(out[nxt].text):
            text += sentence_joint(word, out[nxt].text) + out[nxt].text
            out[nxt] = replace(out[nxt], text="", junk="joined")
            moved[nxt] = prev
        else:
            text += "。"
        out[prev] = replace(out[prev], text=text)
        joins += 1
    return tuple(out), joins


# The character model's preference (nats) for reading on after the link word over a
# full stop, measured on the sample's 28 cases: 000 岗位职责|和考核评价 +4.3, 001 书记|
# 要求 +5.4, 004 工作报告|时要求 +4.5; 003 岗位职责|信息工作不是 -1.7, 001 工作总结|
# 要确定主抓责任人 -2.5, 004 应急预案|因地制宜 -3.7 (new sentences).
READ_ON = 0.0


def sentence_joint(word: str, following: str) -> str:
    """ "" when the text after a restored link word reads on from it, "。" when it starts a
    sentence of its own: the site's lines cut one paragraph, so the two stay together
    either way, and the model decides which."""
    from .mojibake.language_model import char_lm

    lm = char_lm()
    ahead = following[:4]
    return "" if lm.score(ahead, word) - lm.score("。" + ahead, word) >= READ_ON else "。"


def _link_word(line: Line) -> str:
    """The word from the source, for callers that pass no restored words."""
    from .restore import restore_text

    return restore_text(line.raw.strip()).rstrip("。.")
