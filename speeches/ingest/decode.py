"""Bytes to text: BOM, then strict trial decodes, then charset-normalizer.

The scraped pages arrive as UTF-8 (001 has no BOM), but admins will upload files
saved by Windows tools in GBK/GB18030, Big5 or UTF-16, so detection is automatic.
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


def _cjk_ratio(text: str) -> float:
    if not text:
        return 0.0
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    ascii_ = sum(1 for ch in text if ch < "\x80")
    return (cjk + ascii_) / len(text)


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


def decode_bytes(raw: bytes) -> Decoded:
    check_not_binary(raw)
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text = raw.decode(encoding, errors="replace")
            return Decoded(text, encoding.replace("-sig", ""), 1.0, text.count("\ufffd"), bom=True)
    utf16 = _looks_utf16(raw)
    if utf16:
        text = raw.decode(utf16, errors="replace")
        return Decoded(text, utf16, 0.9, text.count("\ufffd"))
    if b"\x00" in raw[:8192]:
        raise IngestError("不是文本文件：包含 NUL 字节（binary file: NUL bytes）")
    try:
        return Decoded(raw.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_cjk_ratio(text), encoding, text))
    if candidates:
        candidates.sort(key=lambda c: c[0], reverse=True)
        score, encoding, text = candidates[0]
        return Decoded(text, encoding, round(score, 3))
    return _decode_with_charset_normalizer(raw)


def _decode_with_charset_normalizer(raw: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        # Nothing decodes cleanly: keep what UTF-8 can read and report the rest.
        text = raw.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd")
        if replaced > len(text) * 0.3:
            raise IngestError("无法识别的编码，多数字节无法解码（undecodable bytes）")
        return Decoded(text, "utf-8", 0.0, replaced)
    text = str(best)
    return Decoded(text, best.encoding, round(1.0 - best.chaos, 3), text.count("\ufffd"))
