"""The cast: four small hand-made source pages and their speeches, for the tests of the
views, the API and search (conftest's `cast` fixture stores them through
speeches.loading and indexes them in every engine the database runs).

Every value here is written by hand: what a test of a page or a search expects can be
read off this file. What the pipeline makes of real, messy pages is the subject of
speeches/tests/ingest/ and of the golden tests on the seed pages (corpus/seeds).

The archive the cast makes, at a glance (key: year, level, place, topics):

    city.txt      马鞍山市领导讲话选编 (a page of four speeches)
      yushan      2019 市  安徽·马鞍山·雨山区  urban-management, civilized-city   sections, stated speaker
      epidemic    2020 市  安徽·马鞍山          epidemic, civilized-city
      resumption  2020 县  安徽·马鞍山·含山县   epidemic, work-safety              疫情防控 and 安全生产
      retitled    —    市  安徽·马鞍山          civilized-city                     scraped title lies
    province.txt  陝西省領導講話 (its source is in traditional characters)
      shaanxi     2018 省  陕西                 economy                            writes 陜西, 發展 in its source
      land        2017 省  陕西·西安            land-resources                     国土资源, title 讲话稿
      tourism     2018 省  陕西                 tourism                            旅游 in its title only, 致辞
    county.txt    含山县工作会议讲话
      safety      2016 县  安徽·马鞍山·含山县   work-safety                        安全生产 three times, 煤
      safety-again  a copy of `safety` in the same page
      exam        2021 县  安徽·马鞍山·含山县   examinations, education-it         damaged: 一防三〓, 村不〓, 一院多〓; 疫情防控
      roads       2001 县  安徽·马鞍山·含山县   transport                          damaged: 政府对〓〓建设
      informatization 2002 县 —                 education-it, informatization      教育信息化
      cppcc       —    县  安徽·马鞍山·含山县   cppcc, epidemic                    the only speech of 政协主席
      fragment    —    县  —                    agriculture                        残篇
    reprint.txt   转载：讲话摘编 (a second site's page)
      yushan-copy  the same text as city.txt's `yushan` (a copy across documents)
      style       2019 市  安徽·马鞍山          work-style                         title supplied by the archive

So 14 distinct speeches and 2 copies; years 2001, 2002, 2016–2021 (none in 2003–2015)
and 3 undated; 工作 is in every speech but `tourism` and `fragment`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from speeches.ingest import PIPELINE_VERSION, ParsedDocument, ParsedSection, ParsedSpeech
from speeches.ingest.dedupe import signature
from speeches.ingest.identity import content_fingerprint
from speeches.ingest.types import INFERRED, STATED, Attribute, Attribution


@dataclass(frozen=True)
class Role:
    """One speech as a test thinks of it. `sections`: (heading, level, paragraphs); the
    heading paragraph is its section's first paragraph, as in speeches/ingest/sections.py."""

    key: str
    title: str
    sections: tuple[tuple[str, int, tuple[str, ...]], ...]
    original: str = ""  # the text as found in the source; the restored text when empty
    year: int | None = None
    date: str = ""
    date_standing: str = STATED
    level: str = ""
    genre: str = "讲话"
    place: str = ""
    occasion: str = ""
    speaker: str = ""
    office: str = ""
    topics: tuple[tuple[str, float], ...] = ()
    keywords: tuple[str, ...] = ()
    source_title: str = ""  # the scraped title when the archive shows another one
    title_supplied: bool = False
    fragment: bool = False
    copy_of: str = ""  # the key of an earlier speech of the same page that it repeats

    @property
    def text(self) -> str:
        return "\n".join(p for _, _, paragraphs in self.sections for p in paragraphs)


def plain(*paragraphs: str) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """A speech without headings: one untitled section."""
    return (("", 0, paragraphs),)


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    roles: tuple[Role, ...] = field(default=())


YUSHAN = Role(
    "yushan",
    "在全市城市管理工作会议上的讲话",
    (
        (
            "",
            0,
            (
                "同志们：",
                "今天召开全市城市管理工作会议，总结去年的工作，部署今年的任务。",
            ),
        ),
        (
            "一、充分肯定城市管理工作取得的成绩",
            1,
            (
                "一、充分肯定城市管理工作取得的成绩",
                "雨山区率先完成背街小巷整治，全市文明城市创建测评成绩稳步提升。",
            ),
        ),
        (
            "二、扎实做好今年的重点工作",
            1,
            (
                "二、扎实做好今年的重点工作",
                "要把雨山区的做法推广到全市，让群众看到实实在在的变化。",
            ),
        ),
    ),
    original="同志們：\n今天召開全市城市管理工作會議，總結去年的工作，部署今年的任務。",
    year=2019,
    date="2019-03-12",
    level="市",
    place="安徽·马鞍山·雨山区",
    occasion="全市城市管理工作会议",
    speaker="张明",
    office="市长",
    topics=(("urban-management", 6.0), ("civilized-city", 2.0)),
    keywords=("城市管理", "雨山区", "背街小巷"),
)

CITY = Page(
    "city.txt",
    "马鞍山市领导讲话选编",
    (
        # Sections with headings, a stated speaker, office, day and county: the speech page's facts.
        YUSHAN,
        # 疫情防控 in 2020, with a second topic of a long name (the charts write it in full).
        Role(
            "epidemic",
            "在全市疫情防控工作会议上的讲话",
            plain(
                "同志们：",
                "当前疫情防控形势依然严峻，全市上下要坚持人民至上。",
                "要把疫情防控和文明城市创建结合起来，市委要把这项工作抓紧抓实。",
            ),
            year=2020,
            date="2020",
            date_standing=INFERRED,
            level="市",
            place="安徽·马鞍山",
            occasion="全市疫情防控工作会议",
            office="市委书记",
            topics=(("epidemic", 5.0), ("civilized-city", 1.5)),
            keywords=("疫情防控", "人民至上"),
        ),
        # 疫情防控 and 安全生产 in one speech, at county level, also 2020: every speech of
        # 2020 holds 疫情防控.
        Role(
            "resumption",
            "在全县复工复产工作会议上的讲话",
            plain(
                "全县各企业要在做好疫情防控的同时抓好安全生产。",
                "复工复产工作要有序推进，县委县政府将逐一督查。",
                "全县各级要守住安全生产底线。",
            ),
            year=2020,
            date="2020-04",
            level="县",
            place="安徽·马鞍山·含山县",
            occasion="全县复工复产工作会议",
            topics=(("epidemic", 3.0), ("work-safety", 2.0)),
            keywords=("复工复产", "安全生产"),
        ),
        # The page titled this speech after another meeting: the archive shows a title
        # made from its content, the page's title beside it. Undated.
        Role(
            "retitled",
            "在全市文明城市创建推进会上的讲话",
            plain(
                "创建全国文明城市是全市人民的共同心愿。",
                "各部门要把创建工作落到实处，市委将定期听取汇报。",
            ),
            level="市",
            place="安徽·马鞍山",
            occasion="全市文明城市创建推进会",
            topics=(("civilized-city", 4.0),),
            keywords=("文明城市",),
            source_title="在全市森林防火工作推进会上的讲话",
        ),
    ),
)

PROVINCE = Page(
    "province.txt",
    "陝西省領導講話",
    (
        # The restored text keeps the variant form 陜西 (a reader searches 陕西); the source
        # is traditional (發展): a search in either script finds it.
        Role(
            "shaanxi",
            "在全省经济工作会议上的讲话",
            plain(
                "陜西要坚定不移推动高质量发展。",
                "全省经济工作要稳中求进，省委省政府将加大投入。",
            ),
            original="陜西要堅定不移推動高質量發展。\n全省經濟工作要穩中求進，省委省政府將加大投入。",
            year=2018,
            date="2018-12-20",
            level="省",
            place="陕西",
            occasion="全省经济工作会议",
            speaker="李华",
            office="省长",
            topics=(("economy", 4.0),),
            keywords=("高质量发展",),
        ),
        # 国土资源, in a title that ends in 讲话稿.
        Role(
            "land",
            "在全省国土资源工作会议上的讲话稿",
            plain(
                "国土资源是发展的基础。",
                "全省国土资源系统要做好耕地保护工作，省委对此高度重视。",
            ),
            original="國土資源是發展的基礎。\n全省國土資源系統要做好耕地保護工作，省委對此高度重視。",
            year=2017,
            date="2017",
            level="省",
            place="陕西·西安",
            occasion="全省国土资源工作会议",
            topics=(("land-resources", 5.0),),
            keywords=("国土资源", "耕地保护"),
        ),
        # 旅游 stands in the title only; a 致辞, the only one; no 工作 in it.
        Role(
            "tourism",
            "在全省旅游发展大会上的致辞",
            plain("欢迎各位嘉宾来到陕西。", "祝大会圆满成功。"),
            original="歡迎各位嘉賓來到陝西。\n祝大會圓滿成功。",
            year=2018,
            date="2018-05-18",
            genre="致辞",
            level="省",
            place="陕西",
            occasion="全省旅游发展大会",
            topics=(("tourism", 2.0),),
            keywords=("嘉宾",),
        ),
    ),
)

SAFETY = Role(
    "safety",
    "在全县安全生产工作会议上的讲话",
    plain(
        "安全生产是发展的前提。",
        "全县煤矿要开展安全生产大检查，县委县政府要把安全生产责任落实到人。",
    ),
    year=2016,
    date="2016-02-26",
    level="县",
    place="安徽·马鞍山·含山县",
    occasion="全县安全生产工作会议",
    topics=(("work-safety", 6.0),),
    keywords=("安全生产", "煤矿"),
)

COUNTY = Page(
    "county.txt",
    "含山县工作会议讲话",
    (
        # 安全生产 three times in two paragraphs; 煤 inside 煤矿.
        SAFETY,
        # The page prints the same speech twice: a copy within one document.
        replace(SAFETY, key="safety-again", copy_of="safety"),
        # Characters the mojibake step could not restore (〓): 一防三保 twice and 村不漏
        # once lost their last character; 一院多校 stands whole and damaged.
        Role(
            "exam",
            "在全县考试安全工作会议上的讲话",
            (
                ("", 0, ("同志们：", "确保考试安全是今年工作的重中之重，疫情防控不能放松。")),
                (
                    "一、严格落实考点防控要求",
                    1,
                    (
                        "一、严格落实考点防控要求",
                        "考点要落实一防三〓要求，做到一防三〓，村不〓户。",
                        "一院多校的考点要统一调度，一院多〓的情况要逐一登记。",
                    ),
                ),
            ),
            original="同志們：\n確??荚嚢踩?是今年工作的重中之重。\n一、嚴格落實考點防控要求",
            year=2021,
            date="2021-05-10",
            level="县",
            place="安徽·马鞍山·含山县",
            occasion="全县考试安全工作会议",
            topics=(("examinations", 5.0), ("education-it", 1.0)),
            keywords=("考试安全", "一防三保"),
        ),
        # 公路建设 in clear, and 政府对〓〓建设: two neighbouring characters lost.
        Role(
            "roads",
            "在全县交通工作会议上的讲话",
            plain("县政府对〓〓建设高度重视。", "今年公路建设工作要再上台阶。"),
            year=2001,
            date="2001",
            level="县",
            place="安徽·马鞍山·含山县",
            occasion="全县交通工作会议",
            topics=(("transport", 3.0),),
            keywords=("公路建设",),
        ),
        # 教育信息化 (and 信息化 inside it); no place.
        Role(
            "informatization",
            "教育信息化工作会议讲话稿",
            plain("教育信息化是教育现代化的必由之路。", "全县学校要把信息化工作列入议程。"),
            year=2002,
            date="2002",
            level="县",
            occasion="教育信息化工作会议",
            topics=(("education-it", 5.0), ("informatization", 2.0)),
            keywords=("教育信息化",),
        ),
        # Undated, and the only speech of its office: an office page with nothing to chart.
        Role(
            "cppcc",
            "在县政协全体会议上的讲话",
            plain("县政协要围绕疫情防控建言献策。", "全县政协委员要做好本职工作。"),
            level="县",
            place="安徽·马鞍山·含山县",
            occasion="县政协全体会议",
            office="政协主席",
            topics=(("cppcc", 4.0), ("epidemic", 1.0)),
            keywords=("建言献策",),
        ),
        # What survives of a speech the page lost (残篇).
        Role(
            "fragment",
            "春耕备耕讲话（残篇）",
            plain("……切实做好春耕备耕，确保粮食丰收。"),
            genre="",
            level="县",
            topics=(("agriculture", 2.0),),
            keywords=("春耕",),
            fragment=True,
        ),
    ),
)

REPRINT = Page(
    "reprint.txt",
    "转载：讲话摘编",
    (
        # The city page's first speech, reprinted word for word: a copy across documents.
        replace(YUSHAN, key="yushan-copy"),
        # The page gave it no title: the archive's, in brackets on its page and citations.
        Role(
            "style",
            "关于作风建设的讲话",
            plain("作风建设永远在路上。", "全市机关要转变工作作风，市委将开展专项检查。"),
            year=2019,
            date="2019",
            date_standing=INFERRED,
            level="市",
            place="安徽·马鞍山",
            topics=(("work-style", 4.0),),
            keywords=("作风建设",),
            title_supplied=True,
        ),
    ),
)

# Loaded in this order (a copy's original is loaded before it).
PAGES = (CITY, PROVINCE, COUNTY, REPRINT)
ROLES = {role.key: (page, ordinal) for page in PAGES for ordinal, role in enumerate(page.roles, start=1)}


def raw_bytes(page: Page) -> bytes:
    """The page as the archive keeps it: its title and each speech's text as found."""
    parts = [page.title] + [f"{role.title}\n{role.original or role.text}" for role in page.roles]
    return "\n\n".join(parts).encode()


def parsed_document(page: Page) -> ParsedDocument:
    raw = raw_bytes(page)
    return ParsedDocument(
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        encoding="utf-8",
        confidence=1.0,
        title=page.title,
        preamble="",
        speeches=tuple(parsed_speech(page, ordinal, role) for ordinal, role in enumerate(page.roles, start=1)),
        report=(),
        pipeline_version=PIPELINE_VERSION,
        supplied_title="",
    )


def parsed_speech(page: Page, ordinal: int, role: Role) -> ParsedSpeech:
    text = role.text
    return ParsedSpeech(
        ordinal=ordinal,
        title=role.source_title or ("" if role.title_supplied else role.title),
        display_title=role.title,
        text=text,
        original_text=role.original or text,
        sections=tuple(
            ParsedSection(n, heading, level, paragraphs)
            for n, (heading, level, paragraphs) in enumerate(role.sections, start=1)
        ),
        year=role.year,
        occasion=role.occasion,
        speaker_level=role.level,
        genre=role.genre,
        region=role.place,
        topics=role.topics,
        keywords=role.keywords,
        # The loader finds copies across documents by these two keys, made as the pipeline makes them.
        fingerprint=content_fingerprint(text),
        signature=signature(text),
        duplicate_of=ROLES[role.copy_of][1] if role.copy_of else None,
        duplicate_kind="exact" if role.copy_of else "",
        title_trusted=not role.source_title,
        fragment=role.fragment,
        title_supplied=role.title_supplied,
        attribution=attribution(role),
    )


def attribution(role: Role) -> Attribution:
    def stated(value: str, evidence: str = "", standing: str = STATED) -> Attribute:
        return Attribute(value, standing, "cast", evidence or value, 1) if value else Attribute()

    return Attribution(
        speaker=stated(role.speaker),
        office=stated(role.office),
        date=stated(role.date, standing=role.date_standing),
        place=stated(role.place),
        occasion=stated(role.occasion),
    )
