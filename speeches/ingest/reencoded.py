"""Text that went through a wrong encoding before it reached the archive, mended or marked
(decode.py calls these on the page as decoded).

- UTF-8 read as Windows-1252 or Latin-1 and saved as UTF-8 again (undoubled);
- 锟斤拷, the site's own lost characters (replacements_marked).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .plausibility import HAN
from .types import MARKER, Decoded


def undoubled(decoded: Decoded) -> Decoded:
    """A UTF-8 page whose lines were read as Windows-1252 or Latin-1 and saved as UTF-8
    again (a scraper's library guessing ISO-8859-1 for a page without a charset), mended
    line by line with ftfy where that gives Chinese: such a title was stored as
    åœ¨å…¨å¸‚…, and such a page refused as 35 % garbage. A byte Windows-1252 has no
    character for is lost: marked."""
    if not decoded.encoding.startswith("utf") or not _DOUBLED.search(decoded.text):
        return decoded
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    parts = re.split(r"(\r\n|\r|\n)", decoded.text)
    mended, marks = [], 0
    for index in range(0, len(parts), 2):
        line = parts[index]
        if not _DOUBLED.search(line) or not is_bad(line):
            continue
        fixed = fix_encoding(line)
        if len(HAN.findall(fixed)) > len(HAN.findall(line)):
            marks += fixed.count("\ufffd")
            parts[index] = fixed.replace("\ufffd", MARKER)
            mended.append(index // 2 + 1)
    if not mended:
        return decoded
    return replace(
        decoded,
        text="".join(parts),
        replaced=decoded.replaced + marks,
        marks=decoded.marks + marks,
        undoubled_lines=tuple(mended),
    )


# What UTF-8's lead bytes of Chinese (E2–E9) look like read as Windows-1252 or Latin-1.
_DOUBLED = re.compile(
    "[âãäåæçèé][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)


# U+FFFD twice in UTF-8 (EF BF BD EF BF BD) read as GBK by a site that then saved it: the
# classic 锟斤拷, two characters lost before the page reached us. Kept as text, it was
# stored and searchable without a word in the report.
_REPLACEMENTS_AS_GBK = "锟斤拷"


def replacements_marked(decoded: Decoded) -> Decoded:
    found = decoded.text.count(_REPLACEMENTS_AS_GBK)
    if not found:
        return decoded
    lines = tuple(n for n, line in enumerate(decoded.text.splitlines(), 1) if _REPLACEMENTS_AS_GBK in line)
    return replace(decoded, text=decoded.text.replace(_REPLACEMENTS_AS_GBK, MARKER * 2), lost_on_site=lines)
