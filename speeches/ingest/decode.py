"""Bytes to text: BOM, then strict trial decodes, then charset-normalizer, then readings
with a few undecodable bytes marked; the first that is not garbage is the file's.

The scraped pages arrive as UTF-8 (001 has no BOM), but admins will upload files
saved by Windows tools in GBK/GB18030, Big5 or UTF-16, so detection is automatic.
Every result carries the encoding, a confidence in [0, 1] and how many bytes could not
be decoded and on which lines. In a UTF-8 or UTF-16 reading they are marked here
(marked_in_place); in a GBK or Big5 reading a lost byte shifts what follows, and the
stretch it shifted is read in step again with the lost character marked (realign.py);
what that leaves as U+FFFD the mojibake step reads and marks. Text that went through a
wrong encoding before it reached us is mended or marked (reencoded.py), and a data
export is refused (exports.py). A file that reads as garbage in every reading tried
(refuse_garbage) is refused with a reason; its bytes are kept by the loader like any
failed upload's.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import replace

from .exports import refuse_data_export
from .plausibility import (
    HAN,
    garbage_share,
    hangul_share,
    is_garbage_text,
    likely_chinese,
    reads_as_chinese,
    refuse_garbage,
    refuse_not_chinese,
    text_likelihood,
)
from .realign import realign_lost_bytes
from .reencoded import replacements_marked, undoubled
from .types import MARKER, Decoded, IngestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Magic numbers of files that are certainly not text pages; refusing them early
# gives the admin a reason instead of a page of mojibake.
_BINARY_MAGIC = (
    (b"%PDF", "PDF 文档", "PDF document"),
    (b"\x89PNG", "PNG 图片", "PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "JPEG image"),
    (b"GIF8", "GIF 图片", "GIF image"),
    (
        b"PK\x03\x04",
        "ZIP 压缩包或 Word 等 Office 文档（文档请另存为 .txt 或 .html；压缩包请以 .zip 为扩展名上传）",
        "ZIP archive or Office document",
    ),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文档（请另存为 .txt 或 .html 再上传）", "legacy Office document"),
    (b"\x1f\x8b", "gzip 压缩文件（请解压后上传，或打包为 .zip）", "gzip archive"),
)
# The East Asian legacy encodings we try strictly, a family at a time: the first of a
# family that reads the file is that family's reading. Windows saves Big5 as cp950 (€,
# 裏, 碁, 恒 and box drawing are cp950's own) and Hong Kong's pages are Big5-HKSCS (嘅,
# 咗): one such character failed strict big5, the GB18030 reading was left alone and the
# page was refused as 45 % rare characters. A file strict big5 reads keeps that name,
# the one browsers know (views.document_raw serves the raw file under it).
_LEGACY = (("gb18030",), ("big5", "cp950", "big5hkscs"))


def _cp950_pair(error: UnicodeError) -> tuple[str, int]:
    """Python's big5hkscs lacks cp950's own pairs (€ at A3E1, which HKSCS-2004 has too):
    read such a pair as cp950 does, as browsers' Big5 (HKSCS and cp950 in one table) does.
    Any other undecodable pair stays an error: the reading is still strict."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    try:
        return error.object[error.start : error.start + 2].decode("cp950"), error.start + 2
    except UnicodeDecodeError:
        raise error from None


codecs.register_error("cp950-pair", _cp950_pair)
_STRICTLY = {"big5hkscs": "cp950-pair"}
# A UTF-8 page with broken bytes (a truncated download, a bad copy) is still UTF-8 when
# most of its non-ASCII characters are whole UTF-8 sequences: measured on the seed pages,
# 0.79 of them with 5 % of the bytes broken, against 0.15-0.21 for the same pages in GBK
# and 0.20 for random bytes (a legacy encoding's bytes rarely form UTF-8 sequences).
_UTF8_WHOLE_SHARE = 0.5
_UTF8_STRAY = 1000
# Beyond this share of replaced characters the file is not text in any encoding we know.
_MAX_REPLACED_SHARE = 0.3
_SHOWN_LINES = 5


def _looks_utf16(raw: bytes) -> str | None:
    """UTF-16 without a BOM: Chinese text in UTF-16 has NUL high bytes on every ASCII char."""
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > half * 0.2 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.2 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return None


def check_not_binary(raw: bytes) -> None:
    body = next((raw[len(bom) :] for bom, _ in _BOMS if raw.startswith(bom)), raw)
    if not body.strip():  # a byte order mark alone is an empty file too
        raise IngestError("文件为空（empty file）")
    for magic, chinese, english in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise IngestError(f"不是文本文件：{chinese}（binary file: {english}）")


def damaged_lines(text: str) -> tuple[int, ...]:
    """The first few lines (from 1) holding a replacement character."""
    found = []
    # As an editor numbers them: a page may end its lines with CR alone.
    for number, line in enumerate(text.splitlines(), 1):
        if "\ufffd" in line:
            found.append(number)
            if len(found) == _SHOWN_LINES:
                break
    return tuple(found)


def _decoded(raw: bytes, encoding: str, confidence: float, bom: bool = False) -> Decoded:
    text = raw.decode(encoding, errors="replace")
    replaced = text.count("\ufffd")
    return Decoded(text, encoding.replace("-sig", ""), round(confidence, 3), replaced, bom, damaged_lines(text))


def _try_utf8(raw: bytes) -> Decoded | None:
    try:
        return Decoded(raw.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    reading = _utf8_reading(raw)
    if reading is None:
        return None  # a GBK page, some of whose lines happen to be UTF-8 too
    text, per_byte, legacy, utf8_text = reading
    # Judged on the lines read as UTF-8 alone: counted as whole, the lines read as GB18030
    # had a GBK page with a third of its lines cut mid-character taken for UTF-8.
    damaged = utf8_text.count("\ufffd")
    whole = len(utf8_text) - len(utf8_text.encode("ascii", "ignore")) - damaged  # the non-ASCII, at C speed
    share = whole / (whole + damaged) if whole + damaged else 1.0
    # A mostly-ASCII page has few sequences to count: one bad byte in a thousand is damage.
    if share >= _UTF8_WHOLE_SHARE or damaged * _UTF8_STRAY <= len(raw):
        return Decoded(
            text,
            "utf-8",
            round(max(share, 0.5), 3),
            damaged,
            damaged_lines=damaged_lines(text),
            legacy_lines=legacy,
            per_byte_text=per_byte,
        )
    return None


def _per_byte(error: UnicodeDecodeError) -> tuple[str, int]:
    """One U+FFFD for each byte that cannot be read (Python's "replace" writes one for
    each broken sequence, one to three a character), so that the marks can be counted
    in characters (marked_in_place)."""
    return "\ufffd" * (error.end - error.start), error.end


_PER_BYTE = "speeches-per-byte"
codecs.register_error(_PER_BYTE, _per_byte)
# A line of a UTF-8 page is taken to be GB18030 (GBK) when more than this share of its
# bytes of 0x80 and above are no UTF-8 and it reads strictly, as Chinese, in GB18030: a
# UTF-8 line with a broken byte or two stays UTF-8.
_LEGACY_LINE_SHARE = 0.5
# Nor a line of fewer bytes of 0x80 and above: many GBK pairs are UTF-8 pairs too, and a
# line of one or two (a page's last character cut) read as GB18030 was a character invented.
_LEGACY_LINE_MIN_HIGH = 4
# A page whose lines read so hold more than this share of its bytes of 0x80 and above is
# a GBK page (its few lines that are UTF-8 too are chance), not a UTF-8 page.
_MAX_LEGACY_SHARE = 2 / 3
_HIGH_BYTES = bytes(range(0x80, 0x100))
_LINE_BREAKS = re.compile(rb"(\r\n|\r|\n)")


def _utf8_reading(raw: bytes) -> tuple[str, str, tuple[int, ...], str] | None:
    """The page read as UTF-8, twice: each broken sequence replaced by one U+FFFD, as
    Python's "replace" does (what the garbage and language checks judge), and each broken
    byte by one (_PER_BYTE, what marked_in_place counts in characters); except its lines
    saved in GB18030 instead (a paragraph pasted from a GBK page), read so; those lines,
    numbered from 1 as damaged_lines numbers them; and the text of the other lines. None
    when such lines hold most of the page: it is a GBK page. Read as UTF-8, such a line was
    〓 and stray Cyrillic, Hebrew and Greek letters, stored and searchable; a page half of
    whose lines were GBK was refused whole. Both readings come from one pass: judging the
    lines is most of the time, and a second pass for the marks tripled the decoding of a
    damaged UTF-8 page (0.4 s → 1.3 s for 15 MB)."""
    parts = _LINE_BREAKS.split(raw)
    out: list[str] = []
    per_byte: dict[int, str] = {}  # index in out → the line read with _PER_BYTE, where it differs
    candidates: dict[int, str] = {}  # index in parts → its GB18030 reading
    highs: dict[int, int] = {}  # index in parts → its bytes of 0x80 and above
    high_bytes = candidate_bytes = 0
    for index in range(0, len(parts), 2):
        line = parts[index]
        highs[index] = high = len(line) - len(line.translate(None, _HIGH_BYTES))
        high_bytes += high
        try:
            out.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        out.append(line.decode("utf-8", "replace"))
        per_byte[len(out) - 1] = as_utf8 = line.decode("utf-8", _PER_BYTE)
        if high < _LEGACY_LINE_MIN_HIGH:
            continue
        if as_utf8.count("\ufffd") <= high * _LEGACY_LINE_SHARE and HAN.search(as_utf8):
            continue
        try:
            candidates[index] = line.decode("gb18030")
        except UnicodeDecodeError:
            continue
        candidate_bytes += high
    # The cheap tests first: a GBK page is known here, before a line is judged as Chinese.
    if high_bytes and candidate_bytes > high_bytes * _MAX_LEGACY_SHARE:
        return None
    legacy, legacy_bytes, utf8_lines = [], 0, []
    for index in range(0, len(parts), 2):
        read = candidates.get(index)
        if read is not None and reads_as_chinese(read):
            out[index // 2] = per_byte[index // 2] = read
            legacy.append(index // 2 + 1)
            legacy_bytes += highs[index]
        else:
            utf8_lines.append(out[index // 2])
    if high_bytes and legacy_bytes > high_bytes * _MAX_LEGACY_SHARE:
        return None
    breaks = [part.decode("ascii") for part in parts[1::2]]
    ends = [*breaks, ""]
    text = "".join(line + brk for line, brk in zip(out, ends, strict=True))
    marked = "".join(per_byte.get(index, line) + brk for index, (line, brk) in enumerate(zip(out, ends, strict=True)))
    return text, marked, tuple(legacy), "\n".join(utf8_lines)


# The bytes of a Chinese character in the encodings that pick up again at the next
# character after a broken byte.
_CHARACTER_BYTES = (("utf-8", 3), ("utf-16", 2), ("utf-32", 4))
_BROKEN_RUN = re.compile("\ufffd+")


def marked_in_place(raw: bytes, decoded: Decoded) -> Decoded:
    """A UTF-8 or UTF-16 reading with its broken bytes marked where they stand, one MARKER
    for each character they held (three bytes of UTF-8 to a Chinese character), and the
    count of bytes and marks for the report. Such an encoding reads on from the next
    character, so the characters around a broken byte are as the page has them. The
    mojibake step, which repairs the run of GBK read one byte off around a lost byte,
    rewrote them (直接推给 → 苯油聘, a title's 安 → “) and showed three marks for a
    character. A GBK or Big5 reading keeps its U+FFFD for that step: there a lost byte
    does shift what follows."""
    name = decoded.encoding.lower().replace("_", "-")
    width = next((size for prefix, size in _CHARACTER_BYTES if name.startswith(prefix)), 0)
    if not width or not decoded.replaced:
        return replace(decoded, per_byte_text=None)
    legacy = decoded.legacy_lines
    if decoded.per_byte_text is not None:
        text = decoded.per_byte_text  # _try_utf8's pass: its lines read as GB18030 too
    elif width == 3 and (reading := _utf8_reading(raw[len(codecs.BOM_UTF8) :] if decoded.bom else raw)):
        # A last resort's UTF-8 did not look for lines saved in GB18030.
        _, text, legacy, _ = reading
    else:
        text = raw.decode("utf-8-sig" if width == 3 and decoded.bom else decoded.encoding, _PER_BYTE)
    text = text.replace("\x00", "\ufffd")
    marks = 0

    def mark(run: re.Match) -> str:
        nonlocal marks
        count = -(-len(run.group()) // width)
        marks += count
        return MARKER * count

    lines = damaged_lines(text)
    damaged = sum(1 for line in text.splitlines() if "\ufffd" in line)
    return replace(
        decoded,
        text=_BROKEN_RUN.sub(mark, text),
        replaced=text.count("\ufffd"),
        marks=marks,
        damaged_lines=lines,
        damaged_line_count=damaged,
        legacy_lines=legacy,
        per_byte_text=None,
    )


def _strict_readings(raw: bytes) -> Iterator[tuple[str, str]]:
    """(encoding, text) for each family of _LEGACY that reads the file without an error,
    and for UTF-16 without a BOM when it reads as Chinese."""
    for family in _LEGACY:
        for encoding in family:
            try:
                yield encoding, raw.decode(encoding, _STRICTLY.get(encoding, "strict"))
                break
            except UnicodeDecodeError:
                continue
    # UTF-16 without a BOM and with too little ASCII for _looks_utf16 (an all-Chinese
    # page) competes too, but only as Chinese: strict UTF-16 reads any even number of
    # bytes but a lone surrogate, so a short GBK paragraph with one bad byte was read as
    # UTF-16 (Hangul and private use) and refused as "0 % Han", an English Latin-1 page
    # was refused naming UTF-16, and the reason changed with the file's length.
    # A page cut by one byte (a truncated download) is read without its last byte, marked:
    # it was refused whole as a binary file (its NUL bytes).
    body = raw if len(raw) % 2 == 0 else raw[:-1]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if reads_as_chinese(text):
            yield encoding, text if body is raw else text + "\ufffd"


def _try_legacy(raw: bytes) -> list[Decoded]:
    """The strict readings, likeliest first."""
    scored = sorted(((text_likelihood(text), encoding, text) for encoding, text in _strict_readings(raw)), reverse=True)
    scores = [score for score, _, _ in scored]
    return [
        Decoded(
            text,
            encoding,
            _lead_confidence(score, scores[:index] + scores[index + 1 :]),
            text.count("\ufffd"),
            damaged_lines=damaged_lines(text),
        )
        for index, (score, encoding, text) in enumerate(scored)
    ]


def _lead_confidence(score: float, others: list[float]) -> float:
    """How far ahead of the likeliest other reading (in nats per character), squashed:
    alone, 1.0; a reading behind another (taken only when that one is garbage), under 0.5."""
    lead = score - max(others) if others else 2.0
    return round(min(1.0, max(0.0, 0.5 + lead / 4)), 3)


def decode_bytes(raw: bytes) -> Decoded:
    """The file's text, or IngestError with a reason when it is not text, or not Chinese."""
    return refuse_data_export(replacements_marked(_decoded_page(raw)))


def _decoded_page(raw: bytes) -> Decoded:
    settled = _settled_reading(raw)
    if settled and not settled.text.strip():
        # Ideographic spaces or no-break spaces alone (check_not_binary sees ASCII
        # whitespace only): it was refused as "not Chinese: 0 % Han".
        raise IngestError("文件为空：只有空白字符（empty file: whitespace only）")
    if settled:
        try:
            return undoubled(marked_in_place(raw, refuse_not_chinese(refuse_garbage(without_nul(settled)))))
        except IngestError:
            # A page read as Latin-1 and saved as UTF-8 whole reads as garbage until mended.
            mended = undoubled(without_nul(settled))
            if mended.undoubled_lines:
                return refuse_not_chinese(refuse_garbage(mended))
            if not settled.bom:
                raise
            # A byte order mark before bytes of another encoding (a tool that put one
            # before a GBK page): the page was refused as garbage "read as utf-8".
            body = raw[next(len(bom) for bom, _ in _BOMS if raw.startswith(bom)) :]
            try:
                return _guessed_page(body)
            except IngestError:
                pass
            raise
    return _guessed_page(raw)


def _guessed_page(raw: bytes) -> Decoded:
    try:
        return marked_in_place(raw, _best_guess(raw, (without_nul(reading) for reading in _guessed_readings(raw))))
    except IngestError:
        # NULs in bytes that read as no text are a binary file's, however few (random
        # bytes, test_admin_upload's noise.txt: 0.4 % NUL).
        if b"\x00" in raw[:8192]:
            raise _nul_bytes() from None
        raise


def _best_guess(raw: bytes, readings: Iterator[Decoded]) -> Decoded:
    """The first reading that is no garbage and reads as Chinese. A Big5 page with a
    broken byte decodes strictly only as GB18030, 40 % rare characters: its cp950 reading
    with the byte marked is the page (_readings_with_holes). A short GBK paragraph with a
    broken byte is UTF-16 to charset-normalizer, Hangul: its GB18030 reading with the byte
    marked is the paragraph. When no reading reads as Chinese, the first that is no
    garbage is judged (Korean? Japanese? too few Han characters?); when every one is
    garbage, the likeliest is refused as such."""
    tried = []
    for reading in readings:
        garbage = is_garbage_text(reading)
        if not garbage and reads_as_chinese(reading.text):
            return refuse_not_chinese(reading)
        tried.append((garbage, reading))
    text = next((reading for garbage, reading in tried if not garbage), None)
    return refuse_not_chinese(_korean_reading(raw, text) or text) if text else refuse_garbage(tried[0][1])


# Korean in EUC-KR reads as GB18030 without an error and without a rare character: its
# Hangul lead bytes B0-C8 are GB2312's first level. Its characters are far less likely
# together than Chinese text's (plausibility.likely_chinese), but so are the seeds'
# mojibake lines: the same bytes must also read as Korean in cp949, mostly Hangul (002's
# "?。ㄈ┏鞘泄芾矸矫?/p>", as unlikely as Korean, is a third Hangul in cp949).
_MIN_HANGUL_SHARE = 0.5
_LEGACY_NAMES = frozenset(name for family in _LEGACY for name in family)


def _korean_reading(raw: bytes, decoded: Decoded) -> Decoded | None:
    """The file read as cp949 (EUC-KR's superset), when that is what it is."""
    if decoded.encoding not in _LEGACY_NAMES or likely_chinese(decoded.text):
        return None
    try:
        korean = Decoded(raw.decode("cp949"), "cp949", 1.0)
    except UnicodeDecodeError:
        return None
    return korean if hangul_share(korean.text) >= _MIN_HANGUL_SHARE else None


def without_nul(decoded: Decoded) -> Decoded:
    """NUL characters are damage, replaced and counted as undecodable bytes are: a page
    holding some past its first 8 KB (which the binary check reads) was stored with them,
    and PostgreSQL refuses them in text (the upload failed with a server error and the
    upload worker stopped on it)."""
    if "\x00" not in decoded.text:
        return decoded
    text = decoded.text.replace("\x00", "\ufffd")
    return replace(decoded, text=text, replaced=text.count("\ufffd"), damaged_lines=damaged_lines(text))


def _settled_reading(raw: bytes) -> Decoded | None:
    """The file's only reading, when a byte order mark, UTF-16's NUL pattern or UTF-8
    settles it."""
    check_not_binary(raw)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            # A UTF-8 page says so, but may hold lines pasted from a GBK one (_try_utf8).
            utf8 = _try_utf8(raw[len(bom) :]) if encoding == "utf-8-sig" else None
            return replace(utf8, confidence=1.0, bom=True) if utf8 else _decoded(raw, encoding, 1.0, bom=True)
    utf16 = _looks_utf16(raw)
    if utf16:
        return _decoded(raw, utf16, 0.9)
    utf8 = _try_utf8(raw)
    if utf8 and _binary_nuls(raw):
        raise _nul_bytes()
    return utf8


def _binary_nuls(raw: bytes) -> bool:
    """NUL bytes in the first 8 KB, more than one byte in a hundred: a binary file. A page
    UTF-8, GBK or Big5 reads, with a few broken bytes, some of them NUL, is a damaged page
    (without_nul): two NULs in a GBK page's first 8 KB had it refused as binary."""
    return b"\x00" in raw[:8192] and raw.count(0) * 100 > len(raw)


def _nul_bytes() -> IngestError:
    return IngestError("不是文本文件：包含 NUL 字节（binary file: NUL bytes）")


def _guessed_readings(raw: bytes) -> Iterator[Decoded]:
    """The strict legacy readings, likeliest first, then charset-normalizer's, then the
    readings with a few bytes marked; each read in step again after a lost byte before
    it is judged (a short GBK page that lost a byte was refused as 29 % garbage)."""
    legacy = _try_legacy(raw)
    if _binary_nuls(raw) and not (legacy and legacy[0].encoding.startswith("utf-16")):
        raise _nul_bytes()
    # NULs first: without_nul counts the places from the text alone, and after the
    # realignment it dropped the lines read in step again from the count.
    yield from (_realigned(raw, without_nul(reading)) for reading in legacy)
    normalized = _decode_with_charset_normalizer(raw)
    if normalized:
        yield _realigned(raw, without_nul(normalized))
    holed = _readings_with_holes(raw)
    if not (legacy or normalized or holed):
        raise IngestError("无法识别的编码，多数字节无法解码（undecodable bytes）")
    yield from (_realigned(raw, without_nul(reading)) for reading in holed)


def _realigned(raw: bytes, decoded: Decoded) -> Decoded:
    """A GBK or Big5 reading with its stretches shifted by a lost byte read in step again
    (realign.py), counted and shown among the places that could not be decoded."""
    text, lines, places = realign_lost_bytes(raw, decoded.text, decoded.encoding)
    if not places:
        return decoded
    holes = text.count("\ufffd")
    damaged = {number for number, line in enumerate(text.splitlines(), 1) if "\ufffd" in line} | set(lines)
    return replace(
        decoded,
        text=text,
        replaced=holes + places,
        damaged_lines=tuple(sorted(damaged))[:_SHOWN_LINES],
        damaged_line_count=len(damaged),
        realigned=places,
    )


def _decode_with_charset_normalizer(raw: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        return None
    text = str(best)
    # Its UTF-16 without a BOM is as much a guess as ours (_strict_readings): a short GBK
    # paragraph whose first byte is broken was UTF-16, Hangul, "not Chinese: Korean".
    if best.encoding.startswith(("utf_16", "utf_32")) and not reads_as_chinese(text):
        return None
    return Decoded(
        text, best.encoding, round(1.0 - best.chaos, 3), text.count("\ufffd"), damaged_lines=damaged_lines(text)
    )


_LAST_RESORT = ("utf-8", "gb18030", "cp950", "big5hkscs")
_LAST_RESORT_FAMILY = {"cp950": "big5", "big5hkscs": "big5"}


def _readings_with_holes(raw: bytes) -> list[Decoded]:
    """Nothing decodes cleanly (or what does is garbage): the readings with a few holes,
    each hole marked and reported, least garbage first (holes, then rare characters): a
    Big5 page with broken bytes has as many holes in cp950 as in big5hkscs, but where
    the codec picks up again after a hole big5hkscs reads more pairs as rare Hong Kong
    characters, and a marked character beats a guessed one. A reading with no hole is a
    strict one, already tried.

    Confidence as for strict readings (_lead_confidence), ahead of the other families'
    readings: a GBK page with one broken byte is as surely GB18030 as it would be whole
    (it had 0.00), and a broken Big5 page as surely Big5, whichever Big5."""
    texts = [(raw.decode(encoding, errors="replace"), encoding) for encoding in _LAST_RESORT]
    texts = [
        (text, encoding) for text, encoding in texts if 0 < text.count("\ufffd") <= len(text) * _MAX_REPLACED_SHARE
    ]
    scores = [(_LAST_RESORT_FAMILY.get(encoding, encoding), text_likelihood(text)) for text, encoding in texts]
    readings = [
        Decoded(
            text,
            encoding,
            _lead_confidence(score, [other for kin, other in scores if kin != family]),
            text.count("\ufffd"),
            damaged_lines=damaged_lines(text),
        )
        for (text, encoding), (family, score) in zip(texts, scores, strict=True)
    ]
    return sorted(readings, key=lambda reading: (garbage_share(reading.text) or 0.0, reading.replaced))
