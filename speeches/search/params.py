"""The search parameters shared by the page, the API and the exports.

One parser for all three, so that /search/?…, /api/search?… and the export
links with the same query string always mean the same result set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SORTS = {
    "relevance": "相关度",
    "year": "年份（新→旧）",
    "year_asc": "年份（旧→新）",
    "length": "篇幅（长→短）",
    "length_asc": "篇幅（短→长）",
    "newest": "入库时间（新→旧）",
}
# The filters' names as readers see them: facet headings, active-filter chips and
# saved searches' labels all read this one table.
FILTER_TITLES = {
    "topic": "主题",
    "year": "年份",
    "place": "地点",
    "office": "讲话人职务",
    "occasion": "会议",
    "level": "讲话人级别",
    "genre": "体裁",
    "document": "来源文件",
}
# A year range wider than this is not a filter anyone means; it is clamped.
MAX_YEAR_SPAN = 200
# The year facet's value for speeches with no year (年份不确定): counted and selectable
# like a year, so totals add up and undated speeches can be looked at.
UNDATED = "unknown"


# Control characters (a pasted %00, %0C) are no text of any speech, and XML, the Atom
# feed's and the exports' format, cannot carry them: read as spaces.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def without_controls(value: str) -> str:
    """The value with its control characters as spaces (also what the Atom feed writes of
    a speech stored with one: speeches/feeds.py)."""
    return _CONTROL.sub(" ", value)


def _all(data, name: str) -> list[str]:
    found = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
    return [found] if isinstance(found, str) else list(found)


# Numbers past these are no year, document or page anyone means, and past a database's
# integer types (PostgreSQL answered year_to=-2147483449 and page=4611686018427387904
# with a server error). A range's ends are brought within the years an archive of speeches
# can hold (year_from=-5 is every year from the first, year_to=3000 every year to the
# last); a year or a document asked for outside them is one no speech has, so the filter
# finds nothing (it was dropped, and found everything).
YEARS = (1, 9999)
RANGE_YEARS = (1900, 2100)
IDS = (1, 2**31 - 1)
MAX_PAGE = 10**6
NOTHING = "0"  # a document id no document has (a year filter's is the year 0)


def _ints(values, bounds: tuple[int, int] = IDS) -> list[int]:
    out = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            continue
        if bounds[0] <= number <= bounds[1]:
            out.append(number)
    return out


def _int(value, default: int | None, bounds: tuple[int, int] = IDS) -> int | None:
    found = _ints([value], bounds)
    return found[0] if found else default


def _year(value) -> int | None:
    """A range's end, brought within RANGE_YEARS; None when it is no number."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max(number, RANGE_YEARS[0]), RANGE_YEARS[1])


def _asked(values: tuple[str, ...], found: list, also: tuple = (), *, nothing) -> tuple:
    """The values read; `nothing` when the only ones asked for were numbers out of bounds
    (words that are no number at all are left out, as any malformed parameter)."""
    kept = tuple(found) + also
    return kept if kept or not any(_is_number(v) for v in values) else (nothing,)


def _is_number(value: str) -> bool:
    return value.strip().lstrip("+-").isdecimal()  # isdigit() holds for ², which int() refuses


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    topic: tuple[str, ...] = ()
    year: tuple[int | str, ...] = ()  # years, and UNDATED
    year_from: int | None = None
    year_to: int | None = None
    document: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    genre: tuple[str, ...] = ()
    office: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    occasion: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_querydict(cls, data, page_size: int = PAGE_SIZE) -> SearchParams:
        def values(name: str) -> tuple[str, ...]:
            found = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
            found = [found] if isinstance(found, str) else found
            found = [without_controls(v) for v in found if v]
            return tuple(dict.fromkeys(v.strip()[:64] for v in found if v.strip()))

        sort = data.get("sort") or "relevance"
        year_from, year_to = _year(data.get("year_from") or None), _year(data.get("year_to") or None)
        if year_from is not None and year_to is not None and year_from > year_to:
            year_from, year_to = year_to, year_from  # 2022–2016 means the years between
        years, documents = values("year"), values("document")
        # A filter value that is no number is a typo, not a filter: said, so that a whole
        # archive's figures are not read as the filtered ones.
        unread = [f"{FILTER_TITLES['year']}“{v}”" for v in years if v != UNDATED and not _is_number(v)] + [
            f"{FILTER_TITLES['document']}“{v}”" for v in documents if not _is_number(v)
        ]
        unread += [
            f"{label}“{without_controls(str(data.get(name)))[:20]}”"
            for name, label in (("year_from", "起始年份"), ("year_to", "截止年份"))
            if data.get(name) and _year(data.get(name)) is None
        ]
        return cls(
            q=without_controls(data.get("q") or "")[:2000],
            topic=values("topic"),
            year=_asked(years, _ints(years, YEARS), (UNDATED,) if UNDATED in years else (), nothing=0),
            year_from=year_from,
            year_to=year_to,
            document=_asked(documents, [str(d) for d in _ints(documents)], nothing=NOTHING),
            level=values("level"),
            genre=values("genre"),
            office=values("office"),
            place=values("place"),
            occasion=tuple(
                dict.fromkeys(v.strip()[:255] for v in map(without_controls, _all(data, "occasion")) if v.strip())
            ),
            sort=sort if sort in SORTS else "relevance",
            page=min(max(1, _int(data.get("page"), 1, (-(10**18), 10**18)) or 1), MAX_PAGE),
            page_size=max(1, min(_int(data.get("page_size"), page_size) or page_size, MAX_PAGE_SIZE)),
            notes=(f"无法识别的筛选条件已忽略：{'、'.join(unread)}。",) if unread else (),
        )

    @property
    def has_filters(self) -> bool:
        return bool(
            self.topic
            or self.year
            or self.year_from
            or self.year_to
            or self.document
            or self.level
            or self.genre
            or self.office
            or self.place
            or self.occasion
        )

    def kept_filters(self) -> list[tuple[str, str]]:
        """The filters but the years, as URL pairs: the hidden inputs of the year-range
        form, which must keep every other filter in force."""
        return self.pairs(q="", year=(), year_from=None, year_to=None, sort="relevance", page=1)

    def years(self) -> set[str] | None:
        """The allowed years as index values, or None for no year filter."""
        if not (self.year or self.year_from or self.year_to):
            return None
        low = self.year_from if self.year_from is not None else -(10**6)
        high = self.year_to if self.year_to is not None else 10**6
        if self.year:
            return {str(y) for y in self.year if y == UNDATED or low <= y <= high}
        if self.year_from is None:
            low = high - MAX_YEAR_SPAN
        high = min(high, low + MAX_YEAR_SPAN)
        return {str(y) for y in range(low, high + 1)}

    def filters(self) -> dict[str, frozenset[str]]:
        """The filters as speeches.search.engine.Query takes them: facet -> values."""
        filters = {
            "topic": frozenset(self.topic),
            "document": frozenset(self.document),
            "level": frozenset(self.level),
            "genre": frozenset(self.genre),
            "office": frozenset(self.office),
            "place": frozenset(self.place),
            "occasion": frozenset(self.occasion),
        }
        years = self.years()
        if years is not None:
            filters["year"] = frozenset(years or {"none"})  # an empty range matches nothing
        return {name: values for name, values in filters.items() if values}

    def pairs(self, **changes) -> list[tuple[str, str]]:
        """These parameters as URL pairs, with `changes` applied (None drops a key)."""
        current = replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})
        pairs: list[tuple[str, str]] = []
        names = ("q", "topic", "year", "year_from", "year_to", "document", "level", "genre", "office", "place")
        for name in (*names, "occasion", "sort", "page"):
            value = getattr(current, name)
            if isinstance(value, tuple):
                pairs.extend((name, str(v)) for v in value)
            elif value not in (None, "", 1, "relevance") or (name == "page" and value not in (1, None)):
                pairs.append((name, str(value)))
        # A page size asked for by hand is kept from page to page (None drops it too).
        if current.page_size not in (None, PAGE_SIZE):
            pairs.append(("page_size", str(current.page_size)))
        return pairs

    def url(self, **changes) -> str:
        return "?" + urlencode(self.pairs(**changes))

    def toggled(self, name: str, value) -> str:
        """The URL with one facet value selected, or unselected if it was; back to page 1."""
        current = getattr(self, name)
        value = int(value) if name == "year" and value != UNDATED else str(value)
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.url(**{name: chosen, "page": 1})
