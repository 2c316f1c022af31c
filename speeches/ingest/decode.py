"""Bytes to text: BOM, then strict trial decodes, then charset-normalizer.

The scraped pages arrive as UTF-8 (001 has no BOM), but admins will upload files
saved by Windows tools in GBK/GB18030, Big5 or UTF-16, so detection is automatic.
Every result carries the encoding, a confidence in [0, 1] and how many bytes could not
be decoded (each became U+FFFD, which the mojibake step turns into its marker).
"""

from __future__ import annotations

import codecs

from .types import Decoded, IngestError

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
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
    (b"\x1f\x8b", "gzip archive"),
)
# The East Asian legacy encodings we try strictly, in this order.
_LEGACY = ("gb18030", "big5")
# A UTF-8 page with a few broken bytes (a truncated download) is still UTF-8: up to one
# bad byte per this many is tolerated before we look at other encodings.
_UTF8_DAMAGE = 1000
_SAMPLE = 4000
# Beyond this share of replaced characters the file is not text in any encoding we know.
_MAX_REPLACED_SHARE = 0.3


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
    if not raw.strip():
        raise IngestError("文件为空（empty file）")
    for magic, kind in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise IngestError(f"不是文本文件：{kind}（binary file: {kind}）")


def text_likelihood(text: str) -> float:
    """Mean log-probability of the sample's Han characters under the character model.

    Big5 bytes read as GB18030 are mostly valid Han characters too, so "how much CJK"
    cannot tell the two apart; how *common* the characters are can (實施 vs 細爾)."""
    from .langmodel import char_lm
    from .script import simplify_chars

    lm = char_lm()
    han = [ch for ch in text[:_SAMPLE] if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return -20.0
    return sum(lm.unigram_logp(simplify_chars(ch)) for ch in han) / len(han)


def _decoded(raw: bytes, encoding: str, confidence: float, bom: bool = False) -> Decoded:
    text = raw.decode(encoding, errors="replace")
    return Decoded(text, encoding.replace("-sig", ""), round(confidence, 3), text.count("\ufffd"), bom=bom)


def _try_utf8(raw: bytes) -> Decoded | None:
    try:
        return Decoded(raw.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    if damaged and damaged * _UTF8_DAMAGE <= len(raw):
        return Decoded(text, "utf-8", 0.9, damaged)
    return None


def _try_legacy(raw: bytes) -> Decoded | None:
    scored = []
    # UTF-16 without a BOM and with too little ASCII for _looks_utf16 (an all-Chinese
    # page) competes here, judged like the others by how common its characters are.
    wide = ("utf-16-le", "utf-16-be") if len(raw) % 2 == 0 else ()
    for encoding in (*_LEGACY, *wide):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((text_likelihood(text), encoding, text))
    if not scored:
        return None
    scored.sort(reverse=True)
    best, encoding, text = scored[0]
    # Confidence: how far ahead of the other reading (in nats per character), squashed.
    lead = best - scored[1][0] if len(scored) > 1 else 2.0
    return Decoded(text, encoding, round(min(1.0, 0.5 + lead / 4), 3))


def decode_bytes(raw: bytes) -> Decoded:
    check_not_binary(raw)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decoded(raw, encoding, 1.0, bom=True)
    utf16 = _looks_utf16(raw)
    if utf16:
        return _decoded(raw, utf16, 0.9)
    found = _try_utf8(raw) or _try_legacy(raw)
    if found and (b"\x00" not in raw[:8192] or found.encoding.startswith("utf-16")):
        return found
    if b"\x00" in raw[:8192]:
        raise IngestError("不是文本文件：包含 NUL 字节（binary file: NUL bytes）")
    return _decode_with_charset_normalizer(raw)


def _decode_with_charset_normalizer(raw: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None:
        text = str(best)
        return Decoded(text, best.encoding, round(1.0 - best.chaos, 3), text.count("\ufffd"))
    # Nothing decodes cleanly: keep the reading with the fewest holes and report them.
    readings = [raw.decode(encoding, errors="replace") for encoding in ("utf-8", *_LEGACY)]
    text = min(readings, key=lambda t: t.count("\ufffd"))
    replaced = text.count("\ufffd")
    if replaced > len(text) * _MAX_REPLACED_SHARE:
        raise IngestError("无法识别的编码，多数字节无法解码（undecodable bytes）")
    encoding = ("utf-8", *_LEGACY)[readings.index(text)]
    return Decoded(text, encoding, 0.0, replaced)
