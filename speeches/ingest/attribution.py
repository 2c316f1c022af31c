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
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .classify import longest_first
from .metadata import AMBIGUOUS_PLACES, in_list, load_regions, region_pattern
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
# "张建国同志在全市国土资源工作会议上的讲话": a byline with no office, whole (not 全体同志,
# nor "党员同志在疫情防控中冲锋在前", "万名同志在一线奋战").
_COMRADE_BYLINE = re.compile(
    r"^(?!广大|全体|各位|各级)(?P<name>[\u4e00-\u9fff]{2,3}?)同志(?:在.{2,40}[上中]的?(?:讲话|发言|致辞)|的?讲话)$"
)
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
        match = _COMRADE_BYLINE.match(line)
        if match and _is_name(match.group("name")):
            return Attribute(match.group("name"), STATED, "byline", line, number), Attribute()
    return Attribute(), Attribute()


# --- date -----------------------------------------------------------------------------

_Y = r"(?:19[5-9]|20[0-4])[0-9]"
# "(2017年3月10日)" on a line of its own under the title.
_DATE_LINE = re.compile(rf"^[（(]?(?P<y>{_Y})年(?P<m>[0-9]{{1,2}})月(?:(?P<d>[0-9]{{1,2}})日)?[)）]?$")
# "2022年是党的二十大召开之年", "今年是2022年": the year the speech is given.
_CURRENT_YEAR = re.compile(rf"(?:今年是(?P<a>{_Y})年|(?<![0-9])(?P<b>{_Y})年是[^。]{{0,80}}?(?:之年|一年|开局|收官))")
# "召开2019年全市经济工作会议", "在2019年全市…会议上的讲话"
_MEETING_YEAR = re.compile(rf"(?:召开|在)(?P<y>{_Y})年(?:度)?[^，,。；;]{{0,30}}?(?:会议?|大会)")
_YEAR = re.compile(rf"(?<![0-9])({_Y})年")
# A year that is a target ("到2025年", "2035年前"), not something already past.
_TARGET_BEFORE = ("到", "至", "在", "于", "力争", "争取")
_REVIEWED_YEAR = re.compile(rf"(?:总结|回顾)(?:了|一下)?(?:总结)?({_Y})年")
# Plans named as the present ("十四五开局之年", "全面实施十三五规划的启航之年").
_PLANS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025)}
_PLAN = re.compile(r"十[一二三四]五")
_PLAN_YEAR = re.compile(r"[“\"]?(十[一二三四]五)[”\"]?(?:规划)?(?:的)?(开局|启航|起步|开篇|第一|收官|最后|决胜)")
# A plan named at all ("全面完成十四五规划目标任务") is the plan of its time; one being
# drafted ("编制十三五规划", "编制好“十四五”规划", "谋划好“十四五”造林绿化工作") is the next,
# and the speech is given the year before it.
_PLAN_NAMED = re.compile(
    r"(?P<draft>(?:编制|谋划|制定)好?)?[“\"]?(十[一二三四]五)[”\"]?(?:规划)?(?:的)?(?P<drafting>编制|前期|谋划)?"
)
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
    text = "\n".join(paragraphs)
    # "2022年是党的二十大召开之年" may stand anywhere in the speech; a meeting's year opens it.
    # Each match holds 年是 at most 4 characters after its start ("2022年是"), 年 at most 6
    # ("召开2019年"): see _first.
    for rule, pattern, source, anchor, lead in (
        ("current-year", _CURRENT_YEAR, text, _CURRENT_ANCHOR, 4),
        ("meeting-year", _MEETING_YEAR, text[:_OPENING], _YEAR_ANCHOR, 6),
    ):
        match = _first(pattern, source, anchor, lead)
        if match:
            year = next(g for g in match.groups() if g)
            return Attribute(year, STATED, rule, _around(source, match), _paragraph_of(paragraphs, match.start()))
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
    # The plan's name stands at most 1 character into a match of _PLAN_YEAR, 4 into _PLAN_NAMED's.
    match = _first(_PLAN_YEAR, text, _PLAN, 1)
    if match:
        first, last = _PLANS[match.group(1)]
        year = last if match.group(2) in ("收官", "最后", "决胜") else first
        low, high, rule, where = year, year, f"{match.group(1)}{match.group(2)}", match
    elif low is None:
        match = _first(_PLAN_NAMED, text, _PLAN, 4)
        if match:
            low, high = _PLANS[match.group(2)]
            drafted = bool(match.group("draft") or match.group("drafting"))
            if drafted:
                low = high = low - 1
            rule, where = f"{match.group(2)}{'编制' if drafted else '时期'}", match
    # The years the opening looks back on: a speech is given no earlier than the
    # latest, and a review of a year ("总结2021年…") is given the year after.
    past = [(int(m.group(1)), m) for m in _YEAR.finditer(opening) if not _is_target(opening, m.start())]
    past += [(int(m.group(1)) + 1, m) for m in _REVIEWED_YEAR.finditer(opening)]
    if past:
        latest, found = max(past, key=lambda item: item[0])
        if low is None:
            low, high, rule, where = latest, latest, "latest-year", found
            since = _time_since(opening, found)
            if since:
                low, high, rule = latest + since[0], latest + since[1], "latest-year+elapsed"
        elif low < latest <= high:
            low, rule, where = latest, rule + "+latest-year", found
        elif latest > high and rule.endswith("时期"):
            # A plan named in a later speech is a past one ("十二五" in 2017's, 003).
            low, high, rule, where = latest, latest, "latest-year", found
    if low is None:
        for pattern, floor in _ERA_FLOOR:
            match = pattern.search(text)
            if match:
                return Attribute("", UNKNOWN, f"no-earlier-than-{floor}", match.group(0), None)
        return Attribute()
    value = str(low) if low == high else f"{low}/{high}"
    return Attribute(value, INFERRED, rule, _around(text, where), _paragraph_of(paragraphs, where.start()))


# How long ago the latest year was, said just before it: 003 "…已有两年多的时间了。2002年
# 八月…" is given in 2004 or 2005 (its golden date), not in 2002.
_ELAPSED = re.compile(r"(?:已有|已经有?|已)(一|两|二|三|四|五|六|七|八|九|十|\d{1,2})年(多)?")
_ELAPSED_BEFORE = 40
_NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _time_since(text: str, year: re.Match) -> tuple[int, int] | None:
    """The years between the latest year and the speech, when the sentence before it
    says: (2, 3) for 两年多, (2, 2) for 两年."""
    said = list(_ELAPSED.finditer(text, max(0, year.start() - _ELAPSED_BEFORE), year.start()))
    if not said:
        return None
    found = said[-1]
    number = found.group(1)
    years = int(number) if number.isdigit() else _NUMERALS[number]
    return years, years + bool(found.group(2))


_CURRENT_ANCHOR = re.compile("年是")
_YEAR_ANCHOR = re.compile("年")


def _first(pattern: re.Pattern, text: str, anchor: re.Pattern, lead: int) -> re.Match | None:
    """pattern.search(text), for a pattern whose every match holds a match of `anchor`
    at most `lead` characters after its own start: the same match, sooner. re tries a
    pattern that opens with alternatives or optional parts (_CURRENT_YEAR, _PLAN_YEAR,
    _PLAN_NAMED) at every position of the text, 40 ms over the seeds' 89 speeches; a
    search for its fixed part finds where the first match can start, and no match
    starts before that. (A lookbehind still sees the text before that position.)"""
    found = anchor.search(text)
    return pattern.search(text, max(0, found.start() - lead)) if found else None


def _is_target(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return any(before.endswith(word) for word in _TARGET_BEFORE)


def _around(text: str, match: re.Match, width: int = 12) -> str:
    return _window(text, match.start(), match.end(), width, width)


# A quote is cut where a clause begins or ends, looking this much further for one; else
# it is cut mid-clause and says so with …, never in the middle of a word unmarked
# ("温等因素" for 气温等因素, "晚,我们紧急召开" for 今晚).
_CLAUSE_SLACK = 12
_CLAUSE_MARK = re.compile(r"[,，;；:：。！？!?\n]")  # not 、, which lists inside a clause


def _window(text: str, start: int, end: int, before: int, after: int) -> str:
    """text[start:end] with a few characters either side, as evidence, widened to the
    clauses around it: a window opens after a mark (the colon of "同志们:" before
    "今天我们召开…") and closes on one, or shows with … that it was cut."""
    left = max(0, start - before)
    if left > 0:
        marks = [0] if left <= _CLAUSE_SLACK else []
        marks += [m.end() for m in _CLAUSE_MARK.finditer(text, max(0, left - _CLAUSE_SLACK), start)]
        # The nearest clause start at or before the window's, else the first after it.
        left = max((m for m in marks if m <= left), default=marks[0] if marks else left)
    right = min(len(text), end + after)
    if right < len(text):
        mark = _CLAUSE_MARK.search(text, end, min(len(text), right + _CLAUSE_SLACK))
        right = mark.start() + (1 if mark.group() in "。！？!?" else 0) if mark else right
    window = text[left:right].replace("\n", " ").strip().lstrip(":：,，、;；。 ")
    opened = left > 0 and text[left - 1] not in ":：,，;；。！？!?\n"
    closed = right < len(text) and not _CLAUSE_MARK.match(text, right) and text[right - 1] not in "。！？!?"
    return ("…" if opened else "") + window + ("…" if closed else "")


def _paragraph_of(paragraphs: tuple[str, ...], offset: int) -> int:
    seen = 0
    for number, paragraph in enumerate(paragraphs, 1):
        seen += len(paragraph) + 1
        if offset < seen:
            return number
    return len(paragraphs)


# --- place ------------------------------------------------------------------------------

COUNTIES_FILE = Path(__file__).with_name("data") / "counties.txt"
# The words by which a speaker calls a jurisdiction of each kind its own.
_OWN_WORDS = {
    "省": ("我省", "全省", "省委", "省政府"),
    # A prefecture may be a 盟 or 州 (锡林郭勒盟, 恩施州): regions.txt names it without.
    "市": ("我市", "全市", "市委", "市政府", "我盟", "全盟", "盟委", "我州", "全州", "州委"),
    "县": ("我县", "全县", "县委", "县政府"),
    "区": ("我区", "全区", "区委", "区政府"),
    "旗": ("我旗", "全旗", "旗委"),
    "盟": ("我盟", "全盟", "盟委"),
    "州": ("我州", "全州", "州委"),
}
# "天津市委、市政府历来十分重视", "襄阳市作为…": a place named with its own party
# committee or government.
_PARTY_GOVERNMENT = re.compile(r"^(?:市|县|区|省|州|盟)?(?:委|政府|人民政府|委员会|党委)")
# A county's name without its kind: 长丰县 → 长丰, 本溪满族自治县 → 本溪.
_COUNTY_KIND = re.compile(r"(?:[\u4e00-\u9fff]{1,12}?族)*自治(?:县|旗)$|新区$|林区$|[县区市旗]$")
_MUNICIPALITIES = frozenset("北京 天津 上海 重庆".split())
_AUTONOMOUS_REGIONS = frozenset("内蒙古 广西 西藏 宁夏 新疆".split())


@lru_cache(maxsize=1)
def load_counties() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """A county's short name → (its city "湖北·武汉", full name "新洲区", shown name "新洲").
    A one-character name (索县, 云县) is its full name; so is one that repeats its
    city's (本溪县 of 本溪)."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for line in COUNTIES_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        parent, _, names = line.partition(":")
        city = parent.strip().split("·")[-1]
        for full in names.split():
            core = full[:2] + _COUNTY_KIND.sub("", full[2:])
            shown = core if len(core) >= 2 and core != city else core + full[-1]
            key = core if len(core) >= 2 else full
            found.setdefault(key, []).append((parent.strip(), full, shown))
    return {key: tuple(value) for key, value in found.items()}


@lru_cache(maxsize=1)
def county_pattern() -> re.Pattern:
    return re.compile(f"({longest_first(set(load_counties()))})")


@lru_cache(maxsize=1)
def _full_names() -> dict[str, str]:
    return {full: key for key, options in load_counties().items() for _, full, _ in options}


@lru_cache(maxsize=1)
def _by_city() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for key, options in load_counties().items():
        for parent, _, _ in options:
            found.setdefault(parent, []).append(key)
    return {parent: tuple(keys) for parent, keys in found.items()}


def _counties_of_named_cities(text: str, mentions: list[re.Match]) -> set[str]:
    """The counties of any city the text names that the text names too, bare or not
    ("沁阳公路事业" in a speech that names 焦作市)."""
    regions = load_regions()
    cities = {f"{regions[m.group(1)]}·{m.group(1)}" for m in mentions}
    return {key for city in cities for key in _by_city().get(city, ()) if key in text}


def _named_counties(text: str) -> set[str]:
    """The counties' names that stand in the text with a kind after them (长丰县,
    本溪县, 本溪满族自治县, 索县): found from each 县/区/市/旗, many times faster than
    running county_pattern's 2,800 names over the whole text."""
    counties, full = load_counties(), _full_names()
    found = set()
    for match in re.finditer("[县区市旗]", text):
        at = match.start()
        for length in (2, 3, 4):
            if text[at - length : at] in counties:
                found.add(text[at - length : at])
        for length in range(1, 12):
            if text[at - length : at + 1] in full:
                found.add(full[text[at - length : at + 1]])
    return found


def _kind(place: str) -> str:
    return place[-1] if place[-1] in _OWN_WORDS else ""


def _own_words(text: str, kind: str) -> str:
    """The first word by which the text calls a jurisdiction of this kind its own."""
    for word in _OWN_WORDS.get(kind, ()):
        if word in text:
            return word
    return ""


def find_place(text: str) -> Attribute:
    """The speech's jurisdiction, "湖北·襄阳", "广东" or "安徽·合肥·长丰": the city or
    province named clearly more often than any other (and not in lists), narrowed to a
    county of it the text names (长丰县…长丰), stated when the text calls a jurisdiction
    of that kind its own (我市, 全县, 区委) or names it with its party committee
    ("天津市委"), else inferred."""
    mentions = list(region_pattern().finditer(text))
    city = _city_or_province(text, mentions)
    county = _county(text, city[0] if city else "", mentions)
    if county:
        value, kind, match = county
    elif city:
        value, kind, match = city
    else:
        return Attribute()
    own = _own_words(text, kind)
    if own:
        # The evidence a reader can check: where the speech names the place and calls
        # it its own in one sentence ("全市…济宁…"), when it does, not the first mention
        # (a 陕西省…平台 or 济宁一中 says nothing of whose speech it is).
        named = _named(value.split("·")[-1], kind)
        together = _said_together(text, named, kind)
        if together is not None:
            start, end = together
            evidence = _window(text, start, end, 6, 6)
        else:
            match = _city_mention(text, named, match)
            start, evidence = match.start(), _around(text, match)
        return Attribute(value, STATED, f"own-{own}", evidence, text.count("\n", 0, start) + 1)
    rule = "named-with-government" if _PARTY_GOVERNMENT.match(text[match.end() : match.end() + 4]) else "named-often"
    return Attribute(
        value,
        STATED if rule == "named-with-government" else INFERRED,
        rule,
        _around(text, match),
        _paragraph_of_text(text, match),
    )


_SENTENCE = re.compile(r"[^。！？!?\n]+")


def _said_together(text: str, named: re.Pattern, kind: str) -> tuple[int, int] | None:
    """Where a sentence names the place (`named`) and calls a jurisdiction of its kind its
    own ("全市上下都形成了必须加快湘潭经济发展的共识"), the two closest together: the span
    from one to the other. None when no sentence does."""
    own = re.compile("|".join(map(re.escape, _OWN_WORDS.get(kind, ()))))
    best = None
    for sentence in _SENTENCE.finditer(text):
        if not named.search(sentence.group()) or not own.search(sentence.group()):
            continue
        for a in named.finditer(text, sentence.start(), sentence.end()):
            for b in own.finditer(text, sentence.start(), sentence.end()):
                span = (min(a.start(), b.start()), max(a.end(), b.end()))
                if best is None or span[1] - span[0] < best[1] - best[0]:
                    best = span
    # Far apart, the two do not fit one quote: the caller quotes the first mention.
    return best if best is not None and best[1] - best[0] <= _TOGETHER_WITHIN else None


def _city_mention(text: str, named: re.Pattern, counted: re.Match) -> re.Match:
    """The first mention counted (not in a list), unless it is a county or district named
    after the city: then the first one, not in a list, that is the city's."""
    if named.match(text, counted.start()):
        return counted
    return next((m for m in named.finditer(text) if not in_list(text, m.start(), m.end())), counted)


_TOGETHER_WITHIN = 24


def _named(name: str, kind: str) -> re.Pattern:
    """A mention of the place: a city's name, not a county or district named after it
    (邵阳县, 淮安区 are not the city; 深圳区域 is 深圳)."""
    return re.compile(re.escape(name) + ("(?!县|区(?!域))" if kind == "市" else ""))


def _city_or_province(text: str, mentions: list[re.Match]) -> tuple[str, str, re.Match] | None:
    regions = load_regions()
    counts: Counter[str] = Counter()  # weighted mentions
    first: dict[str, re.Match] = {}
    for match in mentions:
        name, suffix = match.groups()
        if name in AMBIGUOUS_PLACES and not suffix or in_list(text, match.start(), match.end()):
            continue
        # "我省日照市报告多例本土病例" (001): the province is the speaker's, the city may not be.
        if text[max(0, match.start() - 2) : match.start()] == "我省" and regions[name] != name:
            counts[regions[name]] += 1
            first.setdefault(regions[name], match)
            continue
        # A province's bare name is as often part of another name ("河南羚锐", "河南农业
        # 大学", 004's 信阳 speech) as the speaker's province: it weighs half.
        counts[name] += 0.5 if name == regions[name] and not suffix and name not in _MUNICIPALITIES else 1
        first.setdefault(name, match)
    ranked = counts.most_common()
    if not ranked or ranked[0][1] < 2:
        return None
    name = ranked[0][0]
    province = regions[name]
    # A city speech names its province's companies and plans ("河南羚锐", 004's 信阳):
    # when it speaks as a city (全市, 我市) and not as a province, its most named city
    # of that province is its place.
    if name == province and _own_words(text, "市") and not _own_words(text, "省"):
        cities = [(n, place) for place, n in ranked if place != province and regions[place] == province and n >= 2]
        if cities:
            name = max(cities)[1]
            counts[name] += counts[province]
            ranked = counts.most_common()
    # The city's own province ("宣城市…安徽") does not compete with it; any other place does.
    rivals = [n for place, n in ranked if place not in (name, province)]
    if rivals and rivals[0] * 2 > ranked[0][1]:
        return None
    same_province = sum(n for place, n in counts.items() if regions[place] == province)
    if same_province < 0.6 * sum(counts.values()):
        return None
    if province == name:
        kind = "市" if name in _MUNICIPALITIES else "区" if name in _AUTONOMOUS_REGIONS else "省"
        return province, kind, first[name]
    return f"{province}·{name}", "市", first[name]


def _county(text: str, city: str, mentions: list[re.Match]) -> tuple[str, str, re.Match] | None:
    """A county the text names at least twice, once with its kind (长丰县), that lies in
    the city or province found, or anywhere when none was; a name several counties share
    counts only inside the city found."""
    named = _named_counties(text) | _counties_of_named_cities(text, mentions)
    # Counted where they stand bare too ("沁阳公路事业"), once any is named with its kind.
    counts, suffixed, first = _count_counties(text, city, re.compile(f"({longest_first(named)})") if named else None)
    ranked = [c for c, n in counts.most_common() if n >= 2 and suffixed[c]]
    if not ranked and not city and any(f"{own}{kind}" in text for own in "我全" for kind in "县区旗"):
        # A county speech that names its county only bare, and nothing else ("力争构成更多
        # 代表新洲特征的组织工作品牌" with "我区", 002): the slow scan of every county's name.
        counts, suffixed, first = _count_counties(text, city, county_pattern())
        ranked = list(counts) if len(counts) == 1 else []
    if not ranked or (len(ranked) > 1 and counts[ranked[1]] * 2 > counts[ranked[0]]):
        return None
    parent, full, shown = ranked[0]
    # A county is the speech's own only when the speech speaks as one ("全县", "我区");
    # a county-level city (荥阳市 in a 郑州 speech) when named more than its city.
    if _kind(full) == "市":
        if counts[ranked[0]] < max(3, text.count(parent.split("·")[-1])):
            return None
    elif not any(f"{own}{_kind(full)}" in text for own in "我全本"):
        return None  # "县委" alone is any county's; "全县", "我区" speak as one
    return f"{parent}·{shown}", _kind(full), first[ranked[0]]


def _count_counties(text: str, city: str, pattern: re.Pattern | None):
    """Mentions of each county the pattern finds, those with its kind, and the first."""
    counties = load_counties()
    counts: Counter[tuple[str, str, str]] = Counter()
    suffixed: Counter[tuple[str, str, str]] = Counter()
    first: dict[tuple[str, str, str], re.Match] = {}
    for match in pattern.finditer(text) if pattern else ():
        key = match.group(1)
        if in_list(text, match.start(), match.end() + 1):
            continue  # "两当县、康县…": a list of counties names none as the speech's own
        options = [c for c in counties[key] if not city or c[0] == city or c[0].split("·")[0] == city.split("·")[0]]
        if len(options) != 1:
            continue
        county = options[0]
        # Named with its own kind: 长丰县, 本溪县 for 本溪满族自治县; 大城市 is no 大城县.
        rest = county[1][len(key) :]
        with_kind = not rest or text.startswith(rest, match.end()) or text.startswith(county[1][-1], match.end())
        if not with_kind and text[match.end() : match.end() + 1] in "县区市旗镇乡村":
            continue  # 大城市 is a big city, not 大城县
        if (key in load_regions() or key == county[1]) and not with_kind:
            continue  # 本溪 alone is the city
        if key == county[1] and not city:
            continue  # 和县 in "乡镇和县直部门": a one-character name needs its city named too
        counts[county] += 1
        # A county-level city named bare ("沁阳公路事业") beside its city (焦作市) counts too.
        suffixed[county] += with_kind or (_kind(county[1]) == "市" and county[0].split("·")[-1] in text)
        first.setdefault(county, match)
    return counts, suffixed, first


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
            _window(text, at, at + len(occasion), 8, 4),
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
    外宣工作会议上的讲话稿). A speech whose title is the page's gets the page's own heading
    when its number tells it apart (002's 领导工作部署讲话稿1, 2, 3: the page writes the
    number after the title); else a qualifier in square brackets, as the archive's
    words: its place when no other in the group has it, else its stated date, else its
    place among the speeches of its marker or of its title. A title the archive
    supplied is bracketed whole on its pages, qualifier and all. Copies show their
    original's title."""
    groups: dict[str, list] = {}
    for speech in speeches:
        if speech.duplicate_of is None:
            groups.setdefault(speech.display_title, []).append(speech)
    renamed: dict[int, str] = {}
    # Originals told apart by their marker alone, with their title: a copy under a marker
    # of its own is told apart by that marker, not its original's.
    by_marker: dict[int, str] = {}
    qualifiers: dict[int, str] = {}  # the words in square brackets, kept apart (title_qualifier)
    for title, group in groups.items():
        if len(group) < 2:
            continue
        places = Counter(_last_place(s) for s in group)
        dates = Counter(_stated_date(s) for s in group)
        markers = Counter(_marker(s.marker) for s in group)
        for speech in group:
            place, date, marker = _last_place(speech), _stated_date(speech), _marker(speech.marker)
            heading = title if speech.title_supplied else title + speech.marker.strip(" :：")
            if marker and markers[marker] > 1:
                # One marker over several speeches (004 发言稿二: a training-class speech,
                # an essay and a festival's opening): 第二篇之一, 之二, 之三, in page order.
                n = [_marker(s.marker) for s in group if s.ordinal <= speech.ordinal].count(marker)
                qualifier = f"{marker}之{_chinese_number(n)}" if speech.title_supplied else f"之{_chinese_number(n)}"
            elif marker and not speech.title_supplied:
                renamed[speech.ordinal], by_marker[speech.ordinal] = heading, title
                continue
            elif place and places[place] == 1:
                qualifier = place
            elif date and dates[date] == 1:
                qualifier = f"{date}年" if len(date) == 4 else date
            elif marker:
                qualifier, by_marker[speech.ordinal] = marker, title
            else:
                # Nothing of the page's own tells it apart: its place among the speeches of
                # this title, in page order. (It was "第13篇", the archive's count of the
                # page's speeches, which reads as the page's own numbering and is not.)
                qualifier = f"其{_chinese_number(group.index(speech) + 1)}"
            # Inside a supplied title, bracketed whole, the qualifier is in round brackets;
            # after the page's own title, in square ones: the archive's words, not the page's
            # (a citation of "外宣工作会议上的讲话稿（雨山）" quoted a title the page never had).
            if speech.title_supplied:
                renamed[speech.ordinal] = f"{heading}（{qualifier}）"
            else:
                renamed[speech.ordinal], qualifiers[speech.ordinal] = f"{heading}[{qualifier}]", qualifier
    out = []
    for speech in speeches:
        title = renamed.get(speech.duplicate_of or speech.ordinal)
        qualifier = qualifiers.get(speech.duplicate_of or speech.ordinal, "")
        original = by_marker.get(speech.duplicate_of)
        if original is not None and _marker(speech.marker):
            # A copy under a heading of its own (003 repeats 篇五 under 篇三; 001 篇一 is
            # another version of 篇四): the page's heading for it, not its original's.
            if speech.title_supplied:
                title = f"{original}（{_marker(speech.marker)}）"
            else:
                title = speech.display_title + speech.marker.strip(" :：")
            qualifier = ""
        out.append(replace(speech, display_title=title, title_qualifier=qualifier) if title else speech)
    return out


_CHINESE_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    return _CHINESE_DIGITS[n] if n < 10 else str(n)


def _marker(marker: str) -> str:
    """篇三 and 第二篇 as the page has them; a bare "2" or "二:" as 第2篇, 第二篇."""
    marker = marker.strip(" :：.、．")
    return marker if not marker or marker[0] in "篇第" else f"第{marker}篇"


def _last_place(speech) -> str:
    return speech.attribution.place.value.rsplit("·", 1)[-1]


def _stated_date(speech) -> str:
    date = speech.attribution.date
    return date.value if date.standing == STATED else ""
