"""Citation strings for a speech page: GB/T 7714-2015, BibTeX and RIS. Pure functions.

GB/T 7714-2015 cites an online resource as
    主要责任者. 题名[EB/OL]. 出版地: 出版者, 出版年(更新或修改日期)[引用日期]. 获取和访问路径.
Decisions:
- The author is the speaker when the text states the name (speeches/ingest/attribution.py).
  Otherwise none: the standard (8.1.1) lets the numeric (顺序编码制) system, the one
  most Chinese papers use, omit an unknown author and open with the title, not "佚名".
- A title the archive supplied is cited in square brackets, as catalogues bracket
  supplied titles; an inferred date as [2020?] or [2020—2022?] (8.8's brackets for a
  date not given by the source). A stated date is cited plainly.
- The speaker's office, the meeting, the place and the source document follow the URL
  as a note (附注), with "推断" where the archive inferred them.
- The publisher is this archive; no place.
- The update date is when the archive last restored the text (the document's ingest),
  the access date is the day the reader cites; both ISO dates as in the standard's examples.
- A selected paragraph becomes the URL's fragment (…/#p12) in every form, and a
  "第12段" note in BibTeX and RIS, which have a field for it. In BibTeX's howpublished,
  \\url{…} stands in a field that biblatex writes into a macro's argument (\\field{…}
  in the .bbl), where a raw # stops LaTeX ("Illegal parameter number"): it is written
  \\#, which hyperref's \\url reads as #. The url field is verbatim in biblatex and
  keeps the plain URL, as RIS and GB/T 7714 do.
- A speech the page kept only in part (残篇) says so in a note: a reader quoting it must
  know the rest is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PUBLISHER = "讲话档案"
_PARAGRAPH = re.compile(r"^p(\d+)$")
# Characters BibTeX treats specially in ordinary fields.
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


@dataclass(frozen=True)
class Citable:
    public_id: str
    title: str
    url: str  # the permanent URL, absolute
    year: int | None = None
    updated: date | None = None
    paragraph: str = ""  # an anchor such as "p12", or ""
    publisher: str = PUBLISHER
    speaker: str = ""
    office: str = ""
    date: str = ""  # "2017", "2017-03-10" or "2020/2022"
    date_inferred: bool = False
    title_supplied: bool = False
    place: str = ""
    place_inferred: bool = False
    occasion: str = ""
    source: str = ""  # the source document's title
    source_url: str = ""
    copy_of_url: str = ""  # a copy's original, which the archive shows and searches
    copy_kind: str = ""  # "exact", "near" (another version of it) or "partial" (all of it there)
    fragment: bool = False  # 残篇: the source page kept only part of the speech
    # What the caller knows beyond the speech, as notes before the others (a bookmark's
    # speech removed from the archive or merged into this one since: speeches/bookmarks.py).
    remarks: tuple[str, ...] = ()


def cited_title(item: Citable) -> str:
    return f"[{item.title}]" if item.title_supplied else item.title


def cited_date(item: Citable) -> str:
    """2017, 2017-03-10, [2017?], [2020—2022?]; "" when unknown."""
    value = item.date or (str(item.year) if item.year else "")
    if not value:
        return ""
    value = value.replace("/", "—")
    return f"[{value}?]" if item.date_inferred else value


def notes(item: Citable) -> list[str]:
    """What a citation's fields do not hold: office, meeting, place, source document."""
    out = list(item.remarks)
    if item.office:
        out.append(f"讲话人职务：{item.office}")
    if item.occasion:
        out.append(f"场合：{item.occasion}")
    if item.place:
        out.append(f"地点：{item.place}" + ("（推断）" if item.place_inferred else ""))
    if item.date_inferred and cited_date(item):
        out.append(f"日期为本馆据内容推断：{cited_date(item)}")
    if item.title_supplied:
        out.append("题名为本馆所拟")
    if item.fragment:
        out.append("残篇（来源网页仅存部分）")
    if item.source:
        out.append(f"来源文件：{item.source}" + (f" {item.source_url}" if item.source_url else ""))
    if item.copy_of_url:
        # As the speech page says it: a near copy differs in its words.
        if item.copy_kind == "near":
            out.append(f"为 {item.copy_of_url} 的另一版本，文字有出入")
        elif item.copy_kind == "partial":
            out.append(f"内容全部见于 {item.copy_of_url}")
        else:
            out.append(f"与 {item.copy_of_url} 内容重复")
    return out


def paragraph_number(anchor: str) -> int | None:
    match = _PARAGRAPH.match(anchor or "")
    return int(match.group(1)) if match else None


def cited_url(item: Citable) -> str:
    return f"{item.url}#{item.paragraph}" if paragraph_number(item.paragraph) else item.url


def url_in_argument(url: str) -> str:
    """A URL for \\url{…} inside a BibTeX field: # and % escaped, as hyperref's \\url reads them."""
    return url.replace("%", "\\%").replace("#", "\\#")


def gbt7714(item: Citable, accessed: date) -> str:
    """讲话人. 题名[EB/OL]. 出版者, 年(更新日期)[引用日期]. URL. 附注."""
    author = f"{item.speaker}. " if item.speaker else ""
    when = cited_date(item)[:4] if not item.date_inferred else cited_date(item)
    published = item.publisher + (f", {when}" if when else "")
    updated = f"({item.updated.isoformat()})" if item.updated else ""
    cited = f"{author}{cited_title(item)}[EB/OL]. {published}{updated}[{accessed.isoformat()}]. {cited_url(item)}."
    return cited + (f" {'；'.join(notes(item))}." if notes(item) else "")


# Those that a backslash does not make text: \~ and \^ are accents (50\~60吨 printed a
# tilde over the 6), \\ a line break.
_BIBTEX_WORDS = {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def bibtex_escape(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_WORDS.get(m.group(1), "\\" + m.group(1)), value)


def bibtex(item: Citable, accessed: date) -> str:
    """@misc, which both BibTeX and biblatex read; url/urldate are biblatex's (and natbib styles')."""
    fields = [("title", "{" + bibtex_escape(cited_title(item)) + "}")]
    if item.speaker:
        # A Chinese name is one unit: braced, BibTeX does not split it into first and last.
        fields.insert(0, ("author", "{" + bibtex_escape(item.speaker) + "}"))
    if cited_date(item):
        fields.append(("year", cited_date(item) if item.date_inferred else cited_date(item)[:4]))
        if item.date_inferred:
            # "[2002?]" is printed as the convention asks, but is no year to sort by:
            # biblatex sorts by sortyear, the range's first year.
            fields.append(("sortyear", (item.date or str(item.year))[:4]))
        if not item.date_inferred and len(item.date) == 10:
            fields.append(("date", item.date))
    fields += [
        ("publisher", bibtex_escape(item.publisher)),
        ("howpublished", "\\url{" + url_in_argument(cited_url(item)) + "}"),
        ("url", cited_url(item)),
        ("urldate", accessed.isoformat()),
    ]
    number = paragraph_number(item.paragraph)
    note = ([f"第{number}段"] if number else []) + notes(item)
    if note:
        fields.append(("note", bibtex_escape("；".join(note))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(item)},\n{body}\n}}"


def bibtex_key(item: Citable) -> str:
    number = paragraph_number(item.paragraph)
    return f"jianghua-{item.public_id}" + (f"-p{number}" if number else "")


def ris(item: Citable, accessed: date) -> str:
    """TY ELEC (web page); Y2 is the access date in RIS's YYYY/MM/DD form."""
    lines = [("TY", "ELEC")]
    if item.speaker:
        lines.append(("AU", item.speaker))
    lines.append(("TI", cited_title(item)))
    if item.date and not item.date_inferred:
        lines.append(("PY", item.date[:4]))
        lines.append(("DA", item.date.replace("-", "/")))
    elif item.year and not item.date_inferred:
        lines.append(("PY", str(item.year)))
    if item.source:
        lines.append(("T2", item.source))
    lines += [("PB", item.publisher), ("UR", cited_url(item)), ("Y2", accessed.strftime("%Y/%m/%d"))]
    number = paragraph_number(item.paragraph)
    if number:
        lines.append(("N1", f"第{number}段"))
    lines.extend(("N1", note) for note in notes(item))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}" for tag, value in lines) + "\n"


def all_forms(item: Citable, accessed: date) -> dict[str, str]:
    return {"gbt7714": gbt7714(item, accessed), "bibtex": bibtex(item, accessed), "ris": ris(item, accessed)}
