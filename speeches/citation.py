"""Citation strings for a speech page: GB/T 7714-2015, BibTeX and RIS. Pure functions.

GB/T 7714-2015 cites an online resource as
    主要责任者. 题名[EB/OL]. 出版地: 出版者, 出版年(更新或修改日期)[引用日期]. 获取和访问路径.
Decisions, since the archive knows neither the speaker's name nor a place:
- No author: the standard (8.1.1) lets the numeric (顺序编码制) system, the one most
  Chinese papers use, omit an unknown author and open with the title, instead of "佚名".
- The publisher is this archive; no place. The year is the speech's year when known.
- The update date is when the archive last restored the text (the document's ingest),
  the access date is the day the reader cites; both ISO dates as in the standard's examples.
- A selected paragraph becomes the URL's fragment (…/#p12) in every form, and a
  "第12段" note in BibTeX and RIS, which have a field for it.
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


def paragraph_number(anchor: str) -> int | None:
    match = _PARAGRAPH.match(anchor or "")
    return int(match.group(1)) if match else None


def cited_url(item: Citable) -> str:
    return f"{item.url}#{item.paragraph}" if paragraph_number(item.paragraph) else item.url


def gbt7714(item: Citable, accessed: date) -> str:
    """题名[EB/OL]. 出版者, 年(更新日期)[引用日期]. URL."""
    published = item.publisher + (f", {item.year}" if item.year else "")
    updated = f"({item.updated.isoformat()})" if item.updated else ""
    return f"{item.title}[EB/OL]. {published}{updated}[{accessed.isoformat()}]. {cited_url(item)}."


def bibtex_escape(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: "\\textbackslash{}" if m.group(1) == "\\" else "\\" + m.group(1), value)


def bibtex(item: Citable, accessed: date) -> str:
    """@misc, which both BibTeX and biblatex read; url/urldate are biblatex's (and natbib styles')."""
    fields = [("title", "{" + bibtex_escape(item.title) + "}")]
    if item.year:
        fields.append(("year", str(item.year)))
    fields += [
        ("publisher", bibtex_escape(item.publisher)),
        ("howpublished", "\\url{" + cited_url(item) + "}"),
        ("url", cited_url(item)),
        ("urldate", accessed.isoformat()),
    ]
    number = paragraph_number(item.paragraph)
    if number:
        fields.append(("note", f"第{number}段"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(item)},\n{body}\n}}"


def bibtex_key(item: Citable) -> str:
    number = paragraph_number(item.paragraph)
    return f"jianghua-{item.public_id}" + (f"-p{number}" if number else "")


def ris(item: Citable, accessed: date) -> str:
    """TY ELEC (web page); Y2 is the access date in RIS's YYYY/MM/DD form."""
    lines = [("TY", "ELEC"), ("TI", item.title)]
    if item.year:
        lines.append(("PY", str(item.year)))
    lines += [("PB", item.publisher), ("UR", cited_url(item)), ("Y2", accessed.strftime("%Y/%m/%d"))]
    number = paragraph_number(item.paragraph)
    if number:
        lines.append(("N1", f"第{number}段"))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}" for tag, value in lines) + "\n"


def all_forms(item: Citable, accessed: date) -> dict[str, str]:
    return {"gbt7714": gbt7714(item, accessed), "bibtex": bibtex(item, accessed), "ris": ris(item, accessed)}
