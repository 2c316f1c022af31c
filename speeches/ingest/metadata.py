"""What the text itself states: occasion, speaker level, genre; the place names it knows.

Year, place, speaker and office, each with its standing, are attribution.py's.

The page's title is a weak witness (000 titles every speech 森林防火), so each field
is read from the speech's own opening first and from the title only when the title
is trusted (see classify.title_matches).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .classify import longest_first

REGIONS_FILE = Path(__file__).with_name("data") / "regions.txt"

# "在全市森林防火工作推进会上的讲话" → occasion "全市森林防火工作推进会"
_OCCASION = re.compile(
    r"在(.{2,40}?(?:会议|会|大会|仪式|典礼|座谈会|论坛|活动))上的?(?:领导)?(?:讲话|发言|致辞|总结讲话|动员讲话)"
)
# "今天我们在这里召开全市教育信息化工作推进会议" (000 篇十五), "这次召开辅警工作会议" (004),
# "举行隆重的喜迎新春文艺汇演暨**社区落成揭牌仪式" (004)
_CONVENED = re.compile(
    r"(?:召开|举行|举办)(?P<past>了)?(?:这次|这个|今天的|一次|隆重的)?(?P<o>[^,，。;；:：、的]{2,36}?"
    r"(?:会议?|大会|培训班|论坛|仪式|典礼))"
)
# "这次全县宣传工作会议是经县委研究同意召开的", "市委对这次信息工作会议非常重视",
# "召开这次高规格、大规模的全市基层党建工作视频会议", "举办的这期社区工作者培训班"
_THIS_MEETING = re.compile(
    r"(?:这次|本次|此次|这期)(?:[^,，。;；:：“”]{0,14}的)?(?P<o>[^,，。;；:：、“”的]{2,30}?(?:会议|大会|培训班))"
)
# "今天，我们召开这次会议" (000 篇七): the speech speaks of the meeting it is given at.
_THIS_MEETING_NAMED = re.compile(r"召开这次|这次会|本次会|此次会|今天的会|今天召开|会议的主要任务|今天.{0,8}召开")
# "我们迎来了xx社区第七届邻里节" (004): a festival the speech opens.
_WELCOMED = re.compile(r"迎来了(?P<o>[^,，。;；:：、]{2,20}?(?:节|庆典))")
# "建市以来首次城市工作会议": the meeting is the 城市工作会议.
_FIRST_TIME = re.compile(r"^(?:建[市县区]以来)?(?:首次|第一次)")
# A meeting the speech is given at is spoken of as present ("今天，我们在这里召开…");
# one the speaker asks others to hold ("乡镇党政领导要每月专题召开一次信访形势分析会",
# 000 篇五) or recalls ("组织召开了…总结大会", 002) is another meeting.
_PRESENT = re.compile(r"今天|今晚|今日|这次|本次|此次|这期|我们|在这里")
_DIRECTIVE = re.compile(r"要|每|定期|应当|必须|将|主持")
# Within this many characters of the speech's start, "召开X会议" is the speech's own
# meeting even without 今天 ("总局党组研究决定，召开全国税务系统…视频工作会议", 003).
_OPENING_MEETING = 100
# "这次会议", "高规格会议", "专题会议": the text names no meeting.
_VAGUE_OCCASION = re.compile(r"^(这次|本次|此次|一次|今天|高规格|重要|专题|隆重|紧急|这个|这样|那个|该|本|上述|上次)")
_OPENING_CHARS = 400
# Genres in order of precedence: a "总结讲话" is a 总结.
_GENRES = ("致辞", "动员", "总结", "发言", "讲话")
# (what the text says, level): counted over the whole speech, the most frequent wins. The
# speaker's own jurisdiction (全市, 我市) counts twice what a body named (省委) does: 004's
# 攀枝花 city speech names the 省委 five times and says 全市 and 我市 five times.
_LEVEL_WORDS = (
    ("全省", "省"),
    ("我省", "省"),
    ("省委", "省"),
    ("全市", "市"),
    ("我市", "市"),
    ("市委", "市"),
    ("全县", "县"),
    ("我县", "县"),
    ("县委", "县"),
    ("全区", "区"),
    ("我区", "区"),
    ("区委", "区"),
    ("全镇", "镇"),
    ("我镇", "镇"),
    ("镇党委", "镇"),
    ("全乡", "镇"),
    ("集团", "企业"),
    ("公司", "企业"),
    ("我校", "学校"),
    ("学校党委", "学校"),
)
# City names that are also common words: counted only with an administrative suffix.
# "各位来宾" (004) is no visit to 来宾市.
AMBIGUOUS_PLACES = frozenset(
    "来宾 朝阳 安康 白山 黄山 大理 山南 阿里 红河 北海 白银 中山 玉树 普洱 吉林 兴安 海东 海北 海西 南平 长治 文山 通化 延边 定西 吉安 永州".split()
)
_ADMIN_SUFFIX = "省市县区州盟"


def find_occasion(title: str, text: str, title_trusted: bool = True, title_shared: bool = False) -> str:
    """The meeting the speech is given at: named in its opening as present, else in a
    trusted title of its own, or in a title the page gives many speeches (001's ten under
    在集团公司疫情防控工作视频会议上的讲话) when the opening speaks of this meeting."""
    opening = text[:_OPENING_CHARS]
    match = _OCCASION.search(opening)
    if match and not _VAGUE_OCCASION.match(match.group(1)):
        return match.group(1).strip('“”"')
    candidates = []
    for pattern in (_CONVENED, _THIS_MEETING, _WELCOMED):
        for match in pattern.finditer(opening):
            name = _FIRST_TIME.sub("", re.sub(r"^(?:召开|举行|举办)了?", "", match.group("o")))
            if name.count("“") != name.count("”"):
                name = name.strip('“”"')
            if _VAGUE_OCCASION.match(name) or len(name) < 4:
                continue
            before = opening[max(0, match.start() - 15) : match.start() + 2]
            if _DIRECTIVE.search(opening[max(0, match.start() - 8) : match.start()]):
                continue
            score = 2 * ("我们" in before) + bool(_PRESENT.search(before)) + (match.start() < _OPENING_MEETING)
            if "past" in match.groupdict() and match.group("past") and "今天" not in before:
                score -= 2
            if score > 0:
                candidates.append((score, -match.start(), name))
    if candidates:
        return max(candidates)[2]
    if title_trusted and (not title_shared or _THIS_MEETING_NAMED.search(opening[:300])):
        match = _OCCASION.search(title)
        if match:
            return match.group(1)
    return ""


def lost_its_subject(title: str) -> bool:
    """A sub-title the page printed without its subject: 004 "工作会议上的讲话稿" (lines
    183 and 593), "工作会议上的领导讲话稿" (861), "工作会议上讲话稿" (1003)."""
    return title.startswith(("工作会议", "会议上"))


def restore_title(title: str, occasion: str) -> str:
    """004's sub-titles lost their subject on the page ("工作会议上的讲话稿"): take it back
    from the meeting the speech names ("这次召开辅警工作会议" → "辅警工作会议上的讲话稿")."""
    if not lost_its_subject(title) or not occasion.endswith("工作会议"):
        return title
    rest = title[len("工作会议") :] if title.startswith("工作会议") else title[len("会议") :]
    return occasion + rest


def find_genre(title: str, text: str, occasion: str) -> str:
    for source in (title, occasion):
        for genre in _GENRES:
            if genre in source:
                return genre
    if "动员" in occasion:
        return "动员"
    return "讲话" if "稿" in title or "同志们" in text[:200] else ""


_OWN_WEIGHT = 2


def find_speaker_level(text: str) -> str:
    counts: Counter[str] = Counter()
    for word, level in _LEVEL_WORDS:
        counts[level] += text.count(word) * (_OWN_WEIGHT if word[0] in "全我" else 1)
    level, count = counts.most_common(1)[0] if counts else ("", 0)
    return level if count >= 2 else ""


@lru_cache(maxsize=1)
def load_regions() -> dict[str, str]:
    """Place name → its province ("襄阳" → "湖北", "湖北" → "湖北")."""
    regions: dict[str, str] = {}
    for line in REGIONS_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        province, _, cities = line.partition(":")
        regions[province.strip()] = province.strip()
        for city in cities.split():
            regions.setdefault(city, province.strip())
    return regions


@lru_cache(maxsize=1)
def region_pattern() -> re.Pattern:
    # No look-around here: a pattern of plain alternatives lets re skip ahead fast (10×);
    # written as a trie (classify.longest_first), the longest name still wins.
    return re.compile(rf"({longest_first(set(load_regions()))})([{_ADMIN_SUFFIX}]?)")


def in_list(text: str, start: int, end: int) -> bool:
    """True when text[start:end] stands in a list (、 on either side): a list names
    places spoken of, not the speaker's own."""
    return (start > 0 and text[start - 1] == "、") or text[end : end + 1] == "、"
