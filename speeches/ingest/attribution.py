"""Who gave a speech, when, where and at what meeting, each with its standing.

The pages rarely say any of it outright, so every value carries how it is known:

- stated: the text says it of this speech (a date line under the title, a byline
  "应若平副厅长在…", "今天我们在这里召开全市…会议");
- inferred: deduced from content (the years it looks back on, 十四五 as the current
  plan, 新冠 as the current epidemic), shown and cited as a deduction, never as fact;
- unknown: nothing in the text bears on it.

The evidence (the words and the paragraph they stand in) and the rule travel with the
value, so a reader can check it against the source (speeches/speech_views.py shows it).
"""

from __future__ import annotations

import re
from collections import Counter

from .metadata import _AMBIGUOUS_PLACES, _in_list, load_regions, region_pattern
from .types import INFERRED, STATED, UNKNOWN, Attribute, Attribution

# --- speaker and office -------------------------------------------------------------

# Offices as bylines give them; longest first so 副厅长 is not read as 厅长.
OFFICES = sorted(
    """
    省长 副省长 市长 副市长 县长 副县长 区长 副区长 镇长 副镇长 乡长 副乡长 州长 副州长 盟长
    书记 副书记 省委书记 市委书记 县委书记 区委书记 镇党委书记 党委书记 党组书记 总支书记 支部书记
    常委 市委常委 县委常委 秘书长 副秘书长 部长 副部长 厅长 副厅长 局长 副局长 处长 副处长 科长
    主任 副主任 主席 副主席 委员 政协委员 市政协委员 县政协委员 人大代表 主委 副主委
    董事长 总经理 副总经理 总裁 校长 副校长 院长 副院长 所长 副所长 站长 馆长 会长 理事长 社长
    """.split(),
    key=len,
    reverse=True,
)
_OFFICE = "|".join(OFFICES)
# Common surnames: a name in a byline begins with one (百家姓, the most frequent ones).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_NAME = r"[\u4e00-\u9fff]{1,2}"
# "应若平副厅长在20xx年度全省市州…": a byline that opens the speech or its title.
_BYLINE = re.compile(rf"^(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?P<office>{_OFFICE})(?:同志)?(?:在|的讲话|讲话)")
# "市政协委员曾兰州": an office and a name on a line of their own.
_SIGNED = re.compile(rf"^(?P<office>[\u4e00-\u9fff]{{0,8}}?(?:{_OFFICE}))(?P<name>[\u4e00-\u9fff]{{2,3}})$")
# Placeholders the pages put for names: x, xx, ×, **, 某.
_PLACEHOLDER = re.compile(r"[xX×*＊某_]")
_HEAD_PARAGRAPHS = 3
_HEAD_LINE_MAX = 30


def _is_name(name: str) -> bool:
    return 2 <= len(name) <= 3 and name[0] in SURNAMES and not _PLACEHOLDER.search(name)


def find_speaker(title: str, paragraphs: tuple[str, ...]) -> tuple[Attribute, Attribute]:
    """(speaker, office), stated only: a byline in the title or in a short line that
    opens the speech. A name in the body ("x局长通报了…") is someone else."""
    lines = [(0, title)] + [(n, p) for n, p in enumerate(paragraphs[:_HEAD_PARAGRAPHS], 1)]
    for number, line in lines:
        line = line.strip(" 。.:：")
        if not line or len(line) > _HEAD_LINE_MAX:
            continue
        for rule, pattern in (("byline", _BYLINE), ("signature", _SIGNED)):
            match = pattern.match(line)
            if match and _is_name(match.group("name")):
                return (
                    Attribute(match.group("name"), STATED, rule, line, number),
                    Attribute(match.group("office"), STATED, rule, line, number),
                )
    return Attribute(), Attribute()


# --- date -----------------------------------------------------------------------------

_Y = r"(?:19[5-9]|20[0-4])[0-9]"
# "(2017年3月10日)" on a line of its own under the title.
_DATE_LINE = re.compile(rf"^[（(]?(?P<y>{_Y})年(?P<m>[0-9]{{1,2}})月(?:(?P<d>[0-9]{{1,2}})日)?[)）]?$")
# "2022年是党的二十大召开之年", "今年是2022年": the year the speech is given.
_CURRENT_YEAR = re.compile(rf"(?:今年是(?P<a>{_Y})年|(?<![0-9])(?P<b>{_Y})年是)")
# "召开2019年全市经济工作会议", "在2019年全市…会议上的讲话"
_MEETING_YEAR = re.compile(rf"(?:召开|在)(?P<y>{_Y})年(?:度)?[^，,。；;]{{0,30}}?(?:会议?|大会)")
_YEAR = re.compile(rf"(?<![0-9])({_Y})年")
# A year that is a target ("到2025年", "2035年前"), not something already past.
_TARGET_BEFORE = ("到", "至", "在", "于", "力争", "争取")
_REVIEWED_YEAR = re.compile(rf"(?:总结|回顾)(?:了|一下)?(?:总结)?({_Y})年")
# Plans named as the present ("十四五开局之年", "全面实施十三五规划的启航之年").
_PLANS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025)}
_PLAN_YEAR = re.compile(r"[“\"]?(十[一二三四]五)[”\"]?(?:规划)?(?:的)?(开局|启航|起步|开篇|第一|收官|最后|决胜)")
_PLAN_AS_NOW = re.compile(r"[“\"]?(十[一二三四]五)[”\"]?(?:规划)?(?:时期|期间)?(?:工作)?(?:高点起步|开局)")
# Events that date a speech that speaks of them as present.
_EVENTS = (
    (re.compile(r"党的二十大(?:召开之年|即将召开)"), (2022, 2022), "党的二十大召开之年"),
    (re.compile(r"新冠|新型冠状病毒"), (2020, 2022), "新冠疫情"),
)
_ERA_FLOOR = (
    (re.compile(r"党的二十大"), 2022),
    (re.compile(r"党的十九大"), 2017),
    (re.compile(r"党的十八大"), 2012),
    (re.compile(r"习近平新时代中国特色社会主义思想"), 2017),
    (re.compile(r"习近平总书记"), 2012),
)
_OPENING = 600


def find_date(title: str, paragraphs: tuple[str, ...], title_trusted: bool) -> Attribute:
    """The date a speech is given: stated by a date line, the title's year or "今年是…";
    else inferred from the years it reviews, the plan or event it names as current."""
    if title_trusted:
        match = _YEAR.search(title)
        if match:
            return Attribute(match.group(1), STATED, "title-year", title, 0)
    for number, line in enumerate(paragraphs[:_HEAD_PARAGRAPHS], 1):
        match = _DATE_LINE.match(line.strip(" 。."))
        if match:
            value = match.group("y") + f"-{int(match.group('m')):02d}"
            if match.group("d"):
                value += f"-{int(match.group('d')):02d}"
            return Attribute(value, STATED, "date-line", line.strip(), number)
    opening = "\n".join(paragraphs)[:_OPENING]
    for rule, pattern in (("current-year", _CURRENT_YEAR), ("meeting-year", _MEETING_YEAR)):
        match = pattern.search(opening)
        if match:
            year = next(g for g in match.groups() if g)
            return Attribute(year, STATED, rule, _around(opening, match), _paragraph_of(paragraphs, match.start()))
    return _inferred_date(paragraphs)


def _inferred_date(paragraphs: tuple[str, ...]) -> Attribute:
    text = "\n".join(paragraphs)
    opening = text[:_OPENING]
    low, high, rule, where = None, None, "", None
    for pattern, (first, last), name in _EVENTS:
        match = pattern.search(text)
        if match:
            low, high, rule, where = first, last, name, match
            break
    match = _PLAN_YEAR.search(text)
    if match:
        first, last = _PLANS[match.group(1)]
        year = last if match.group(2) in ("收官", "最后", "决胜") else first
        low, high, rule, where = year, year, f"{match.group(1)}{match.group(2)}", match
    elif low is None:
        match = _PLAN_AS_NOW.search(text)
        if match:
            low, high = _PLANS[match.group(1)]
            rule, where = f"{match.group(1)}起步", match
    # The years the opening looks back on: a speech is given no earlier than the
    # latest, and a review of a year ("总结2021年…") is given the year after.
    past = [(int(m.group(1)), m) for m in _YEAR.finditer(opening) if not _is_target(opening, m.start())]
    past += [(int(m.group(1)) + 1, m) for m in _REVIEWED_YEAR.finditer(opening)]
    if past:
        latest, found = max(past, key=lambda item: item[0])
        if low is None:
            low, high, rule, where = latest, latest, "latest-year", found
        elif latest > low and latest <= high:
            low, rule, where = latest, rule + "+latest-year", found
    if low is None:
        for pattern, floor in _ERA_FLOOR:
            match = pattern.search(text)
            if match:
                return Attribute("", UNKNOWN, f"no-earlier-than-{floor}", match.group(0), None)
        return Attribute()
    value = str(low) if low == high else f"{low}/{high}"
    return Attribute(value, INFERRED, rule, _around(text, where), _paragraph_of(paragraphs, where.start()))


def _is_target(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return any(before.endswith(word) for word in _TARGET_BEFORE)


def _around(text: str, match: re.Match, width: int = 12) -> str:
    return text[max(0, match.start() - width) : match.end() + width].replace("\n", " ").strip()


def _paragraph_of(paragraphs: tuple[str, ...], offset: int) -> int:
    seen = 0
    for number, paragraph in enumerate(paragraphs, 1):
        seen += len(paragraph) + 1
        if offset < seen:
            return number
    return len(paragraphs)


# --- place ------------------------------------------------------------------------------

# The speaker's own jurisdiction, as the text says it: "我省日照市" (a city in our
# province), "襄阳市作为…", "雨山区外宣", "天津市委、市政府".
_OWN = re.compile(r"(?:我省|我市|我区|我县|我州|我盟)")
_PARTY_GOVERNMENT = re.compile(r"^(?:市|县|区|省|州|盟)?(?:委|政府|人民政府|委员会|党委)")


def find_place(text: str) -> Attribute:
    """The speech's jurisdiction, "湖北·襄阳" or "广东": stated when the text says it of
    itself ("我省日照市", "X市委、市政府", "在X市…召开"), else inferred when one place
    is named clearly more often than any other (metadata.find_region's rule)."""
    regions = load_regions()
    counts: Counter[str] = Counter()
    stated: dict[str, re.Match] = {}
    for match in region_pattern().finditer(text):
        name, suffix = match.groups()
        if name in _AMBIGUOUS_PLACES and not suffix or _in_list(text, match.start(), match.end()):
            continue
        counts[name] += 1
        before = text[max(0, match.start() - 2) : match.start()]
        after = text[match.end() : match.end() + 4]
        if name not in stated and (_OWN.search(before) or (suffix and _PARTY_GOVERNMENT.match(after))):
            stated[name] = match
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]):
        return Attribute()
    name = ranked[0][0]
    province = regions[name]
    same_province = sum(n for place, n in counts.items() if regions[place] == province)
    if same_province < 0.6 * sum(counts.values()):
        return Attribute()
    value = province if province == name else f"{province}·{name}"
    if name in stated:
        match = stated[name]
        return Attribute(value, STATED, "own-jurisdiction", _around(text, match), _paragraph_of_text(text, match))
    first = next(m for m in region_pattern().finditer(text) if m.group(1) == name)
    return Attribute(
        value, INFERRED, f"named-{counts[name]}-times", _around(text, first), _paragraph_of_text(text, first)
    )


def _paragraph_of_text(text: str, match: re.Match) -> int:
    return text.count("\n", 0, match.start()) + 1


# --- occasion ---------------------------------------------------------------------------


def occasion_attribute(occasion: str, title: str, text: str) -> Attribute:
    """find_occasion's meeting, with where the text names it (always stated: the
    rules only take a meeting the text or a belonging title names)."""
    if not occasion:
        return Attribute()
    at = text.find(occasion)
    if at >= 0:
        return Attribute(
            occasion,
            STATED,
            "named-in-text",
            text[max(0, at - 8) : at + len(occasion) + 4].strip(),
            text.count("\n", 0, at) + 1,
        )
    return Attribute(occasion, STATED, "named-in-title", title, 0)


def attribute(title: str, paragraphs: tuple[str, ...], occasion: str, title_trusted: bool) -> Attribution:
    text = "\n".join(paragraphs)
    speaker, office = find_speaker(title if title_trusted else "", paragraphs)
    return Attribution(
        speaker=speaker,
        office=office,
        date=find_date(title, paragraphs, title_trusted),
        place=find_place(text),
        occasion=occasion_attribute(occasion, title, text),
    )


# --- titles -----------------------------------------------------------------------------

# The words of a meeting's name that say nothing about which meeting it is.
_GENERIC = re.compile(r"全国|全省|全市|全县|全区|工作|会议|大会|视频|电视电话|推进|部署|座谈|会|暨|上")
_BELONGS_SHARE = 0.75


def occasion_belongs(title: str, text: str) -> bool:
    """Whether the meeting a title names is this speech's: most of the pairs of
    characters in its distinctive words ("集团公司疫情防控" of 在集团公司疫情防控工作视频
    会议上的讲话) stand in the text. A title naming no meeting belongs."""
    match = _TITLE_OCCASION.search(title)
    if not match:
        return True
    core = [piece for piece in _GENERIC.split(match.group(1)) if len(piece) >= 2]
    pairs = [piece[i : i + 2] for piece in core for i in range(len(piece) - 1)]
    if not pairs:
        return True
    return sum(pair in text for pair in pairs) >= _BELONGS_SHARE * len(pairs)


_TITLE_OCCASION = re.compile(r"在?(.{2,40}?(?:会议|会|大会|座谈会|论坛))上的")


def tell_apart(speeches: list) -> list:
    """Within one document no two speeches show the same title (004: three under
    外宣工作会议上的讲话稿): each that shares its title gets its place when no other
    in the group has it, else its stated date, else its marker or its place in the page.
    Copies show their original's title."""
    from dataclasses import replace

    groups: dict[str, list] = {}
    for speech in speeches:
        if speech.duplicate_of is None:
            groups.setdefault(speech.display_title, []).append(speech)
    renamed: dict[int, str] = {}
    for title, group in groups.items():
        if len(group) < 2:
            continue
        places = Counter(_last_place(s) for s in group)
        dates = Counter(_stated_date(s) for s in group)
        for speech in group:
            place, date = _last_place(speech), _stated_date(speech)
            if place and places[place] == 1:
                qualifier = place
            elif date and dates[date] == 1:
                qualifier = f"{date}年" if len(date) == 4 else date
            else:
                qualifier = _marker(speech.marker) or f"第{speech.ordinal}篇"
            renamed[speech.ordinal] = f"{title}（{qualifier}）"
    out = []
    for speech in speeches:
        title = renamed.get(speech.duplicate_of or speech.ordinal)
        out.append(replace(speech, display_title=title) if title else speech)
    return out


def _marker(marker: str) -> str:
    """篇三 and 第二篇 as the page has them; a bare "2" or "二:" as 第2篇, 第二篇."""
    marker = marker.strip(" :：.、．")
    return marker if not marker or marker[0] in "篇第" else f"第{marker}篇"


def _last_place(speech) -> str:
    return speech.attribution.place.value.rsplit("·", 1)[-1]


def _stated_date(speech) -> str:
    date = speech.attribution.date
    return date.value if date.standing == STATED else ""
