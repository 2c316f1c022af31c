"""Decoding: every encoding an admin's upload may come in, detected without being told."""

from __future__ import annotations

import codecs

import pytest

from speeches.ingest.decode import decode_bytes
from speeches.ingest.types import IngestError

# 000's opening, traditional as in the seed, and a simplified sentence from 004.
TRADITIONAL = "在全市森林防火工作推進會上的講話。同志們:今天我們在這里召開大會,主要任務是傳達貫徹全省精神文明建設表彰暨文明創建推進會議精神。"
SIMPLIFIED = "作为对外开放的重要组成部分,对外宣传在中国现代化建设中发挥着举足轻重的作用。"


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", TRADITIONAL),
        ("gbk", SIMPLIFIED),
        ("gb18030", TRADITIONAL),
        ("big5", TRADITIONAL),
        ("utf-16-le", TRADITIONAL),
        ("utf-16-be", SIMPLIFIED),
    ],
)
def test_it_detects_the_encoding_without_a_bom(encoding, text):
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    assert decoded.replaced == 0
    assert 0.0 < decoded.confidence <= 1.0


@pytest.mark.parametrize("bom, encoding", [(codecs.BOM_UTF8, "utf-8"), (b"", "utf-16")])
def test_it_honours_a_byte_order_mark(bom, encoding):
    raw = bom + TRADITIONAL.encode(encoding)  # Python's utf-16 codec writes its own BOM
    decoded = decode_bytes(raw)
    assert decoded.text == TRADITIONAL
    assert decoded.bom and decoded.confidence == 1.0


def test_it_records_gbk_pages_as_gb18030_its_superset():
    assert decode_bytes(SIMPLIFIED.encode("gbk")).encoding == "gb18030"


def test_a_few_broken_bytes_keep_a_utf8_page_utf8_and_are_counted():
    raw = TRADITIONAL.encode("utf-8") * 20
    damaged = raw + b"\xff" + raw  # a stray byte between two characters
    decoded = decode_bytes(damaged)
    assert decoded.encoding == "utf-8"
    assert decoded.replaced == 1
    assert "\ufffd" in decoded.text


def test_undecodable_bytes_never_crash_the_decoder():
    decoded = decode_bytes(bytes(range(1, 256)) * 3)
    assert decoded.text


@pytest.mark.parametrize("raw", [b"", b"   \n", b"%PDF-1.7 ...", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04rest"])
def test_it_refuses_empty_and_binary_files_with_a_reason(raw):
    with pytest.raises(IngestError):
        decode_bytes(raw)
