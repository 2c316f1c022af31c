"""Decoding: every encoding an admin's upload may come in, detected without being told."""

from __future__ import annotations

import codecs
import csv
import io
import json
import random

import pytest

from speeches.ingest.decode import decode_bytes
from speeches.ingest.pipeline import damage_warning, parse_document
from speeches.ingest.types import MARKER, IngestError

# 000's opening, traditional as in the seed, and a simplified sentence from 004.
TRADITIONAL = "在全市森林防火工作推進會上的講話。同志們:今天我們在這里召開大會,主要任務是傳達貫徹全省精神文明建設表彰暨文明創建推進會議精神。"
SIMPLIFIED = "作为对外开放的重要组成部分,对外宣传在中国现代化建设中发挥着举足轻重的作用。"
# The same with a full-width comma: no ASCII at all, so every character is two bytes in GBK.
ALL_CHINESE = SIMPLIFIED.replace(",", "，")


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", TRADITIONAL),
        ("gbk", SIMPLIFIED),
        ("gb18030", TRADITIONAL),
        ("big5", TRADITIONAL),
        ("utf-16-le", TRADITIONAL),
        ("utf-16-be", SIMPLIFIED),
        ("utf-16-le", ALL_CHINESE),
        ("utf-16-be", ALL_CHINESE * 3),
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
    assert decoded.replaced == 1 and decoded.marks == 1
    assert decoded.text == TRADITIONAL * 20 + MARKER + TRADITIONAL * 20


def test_undecodable_bytes_are_refused_with_a_reason_not_a_crash():
    with pytest.raises(IngestError, match="not text"):
        decode_bytes(bytes(range(1, 256)) * 3)


@pytest.mark.parametrize("low", [0x80, 0x81])
def test_random_high_bytes_that_a_legacy_encoding_reads_without_error_are_refused_as_not_text(low):
    # From 0x81 every byte pair is valid GB18030: no decoding error tells it from text.
    rng = random.Random(64)
    raw = bytes(rng.randrange(low, 0xFF) for _ in range(65536))
    with pytest.raises(IngestError, match="rare"):
        decode_bytes(raw)


def test_a_short_upload_is_not_judged_by_its_characters():
    assert decode_bytes("鬯鬱鬯鬱".encode()).text == "鬯鬱鬯鬱"


def first_line_of(raw: bytearray, spot: int) -> int:
    return bytes(raw[:spot]).count(b"\n") + 1


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5"])
def test_every_seed_page_is_text_in_every_encoding_it_may_arrive_in(seed_bytes, encoding):
    for name, page in seed_bytes.items():
        raw = page.decode("utf-8").encode(encoding, errors="ignore")
        assert decode_bytes(raw).encoding == encoding, name


def test_a_utf8_page_with_five_percent_bad_bytes_stays_utf8_and_says_how_many_and_on_which_lines():
    lines = [TRADITIONAL, SIMPLIFIED] * 40
    raw = bytearray("\n".join(lines).encode("utf-8"))
    rng = random.Random(5)
    spots = sorted(rng.sample(range(len(raw)), len(raw) // 20))
    for spot in spots:
        raw[spot] = 0xFF  # never a UTF-8 byte
    decoded = decode_bytes(bytes(raw))
    assert decoded.encoding == "utf-8"
    # Each bad byte is counted, and so are the other bytes of the character it broke.
    assert len(spots) <= decoded.replaced <= 3 * len(spots)
    assert damage_warning(decoded).startswith(
        f"按 utf-8 解码时有 {decoded.replaced} 个字节无法解码，以 {decoded.marks} 个〓标出"
    )
    assert f"在第 {first_line_of(raw, spots[0])}、" in damage_warning(decoded)
    assert f"on lines {first_line_of(raw, spots[0])}, " in damage_warning(decoded)
    assert decoded.damaged_lines[0] == first_line_of(raw, spots[0]) and len(decoded.damaged_lines) == 5
    # One mark for each character a bad byte broke, where it stood; every other character
    # as written. (A bad byte broke a whole character of three bytes, a sign or a line's
    # end: no two one-byte signs side by side, which would be marked once.)
    original = "\n".join(lines)
    assert len(decoded.text) == len(original)
    assert all(ch == want for ch, want in zip(decoded.text, original, strict=True) if ch != MARKER)
    assert decoded.marks == decoded.text.count(MARKER) <= len(spots)


@pytest.mark.parametrize("raw", [b"", b"   \n", b"%PDF-1.7 ...", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04rest"])
def test_it_refuses_empty_and_binary_files_with_a_reason(raw):
    with pytest.raises(IngestError):
        decode_bytes(raw)


@pytest.mark.parametrize("raw", [codecs.BOM_UTF8, codecs.BOM_UTF8 + b" \n", codecs.BOM_UTF16_LE])
def test_a_byte_order_mark_alone_is_an_empty_file(raw):
    with pytest.raises(IngestError, match="empty file"):
        decode_bytes(raw)


def test_nul_bytes_past_the_binary_check_are_damage_replaced_and_counted_never_text():
    # Three NULs 20 KB into a page: the binary check reads the first 8 KB, and PostgreSQL
    # refuses NUL in text (the upload answered with a server error, the worker stopped).
    page = "\n".join([TRADITIONAL, SIMPLIFIED] * 200).encode("utf-8")
    at = page.index(b"\n", 20000)
    decoded = decode_bytes(page[:at] + b"\x00\x00\x00" + page[at:])
    assert "\x00" not in decoded.text and decoded.replaced == 3
    assert decoded.damaged_lines == (first_line_of(bytearray(page), at),)


def test_a_utf8_page_whose_damage_includes_nul_bytes_stays_a_damaged_utf8_page():
    raw = bytearray("\n".join([TRADITIONAL, SIMPLIFIED] * 40).encode("utf-8"))
    for spot in range(100, len(raw), 997):
        raw[spot] = 0
    decoded = decode_bytes(bytes(raw))
    assert (
        decoded.encoding == "utf-8"
        and "\x00" not in decoded.text
        and decoded.replaced >= len(range(100, len(raw), 997))
    )


def test_a_page_half_utf8_and_half_gbk_reads_its_gbk_lines_as_gbk_and_says_which():
    # Read as UTF-8 alone, its GBK half was long runs of replaced bytes (once stored as a
    # speech 76 % 〓, then refused whole as garbage).
    lines = [SIMPLIFIED, TRADITIONAL] * 150
    raw = "\n".join(lines[:150]).encode("utf-8") + b"\n" + "\n".join(lines[150:]).encode("gb18030")
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-8" and decoded.replaced == 0
    assert decoded.text == "\n".join(lines)
    assert decoded.legacy_lines == tuple(range(151, 301))
    doc = parse_document(raw)
    warning = next(w for step in doc.report for w in step.warnings if "GB18030" in w)
    assert warning.startswith("第 151、152、153、154、155 行等（共 150 行）不是 UTF-8 而是 GB18030（GBK）编码")


def test_one_gbk_paragraph_in_a_utf8_page_is_read_as_gbk_not_kept_as_stray_letters():
    lines = [SIMPLIFIED] * 20
    raw = "\n".join(lines[:8]).encode("utf-8") + b"\n" + TRADITIONAL.encode("gbk") + b"\n"
    raw += "\n".join(lines[8:]).encode("utf-8")
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-8" and decoded.legacy_lines == (9,)
    assert decoded.text.split("\n")[8] == TRADITIONAL


def test_a_gbk_page_is_not_taken_for_utf8_with_gbk_lines():
    raw = "\n".join([SIMPLIFIED, TRADITIONAL] * 50).encode("gb18030")
    decoded = decode_bytes(raw)
    assert decoded.encoding == "gb18030" and decoded.legacy_lines == ()


def test_the_characters_beside_a_broken_byte_of_a_utf8_page_stay_as_written():
    # The mojibake step once took the marks for GBK read one byte off and rewrote the
    # characters around them (直接推给 → 苯油聘, 安 → “). Three characters are broken here,
    # their second byte each: 全 of the title, 们 of the salutation, 工 of the first line.
    title, salutation, body = "在全县安全生产工作会议上的讲话", "同志们：", [SIMPLIFIED] * 12
    text = "\n".join([title, salutation, "今天召开全县工作会议，部署今年任务。", *body, "谢谢大家。"])
    raw = bytearray(text.encode("utf-8"))
    for character in ("全", "们", "工作会议，部署"):
        raw[raw.index(character.encode("utf-8")) + 1] = 0xFF
    decoded = decode_bytes(bytes(raw))
    assert decoded.replaced == 9 and decoded.marks == 3
    speech = parse_document(bytes(raw)).speeches[0]
    assert speech.display_title.startswith("在〓县安全生产工作会议")
    assert speech.text.split("\n")[:2] == ["同志〓：", "今天召开全县〓作会议，部署今年任务。"]
    assert speech.text.count(MARKER) == 2  # the title's is the title's


@pytest.mark.parametrize(
    "raw",
    [
        bytes(random.Random(1).randrange(33, 127) for _ in range(65536)),  # random printable ASCII
        b"This is an English page about the economy of the county. " * 100,
        codecs.encode(("\n".join([TRADITIONAL] * 50)).encode("utf-8"), "base64"),
    ],
)
def test_text_without_han_characters_is_refused_as_not_chinese(raw):
    # The mojibake step made Han characters of such bytes (random ASCII: a speech on 教育).
    with pytest.raises(IngestError, match="not Chinese"):
        decode_bytes(raw)


def test_a_japanese_page_is_refused_as_not_chinese():
    page = "日本の環境保護について、政府は新しい政策を発表しました。これは重要な一歩です。\n" * 60
    with pytest.raises(IngestError, match="Japanese"):
        decode_bytes(page.encode("utf-8"))


def test_a_short_upload_of_random_high_bytes_is_judged_too():
    # 90 bytes, 45 rare characters: under the old floor of 50 it was a speech "糍天亪疃镄…".
    # (One generator for all 90: a new one per byte made one byte 90 times, which
    # charset-normalizer reads as one Korean syllable repeated.)
    rng = random.Random(90)
    raw = bytes(rng.randrange(0x81, 0xFF) for _ in range(90))
    with pytest.raises(IngestError, match="rare"):
        decode_bytes(raw)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_the_damage_warning_names_the_lines_as_an_editor_numbers_them_and_no_more(ending):
    lines = [TRADITIONAL, SIMPLIFIED] * 50
    raw = bytearray(ending.join(lines).encode("utf-8"))
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line.encode("utf-8")) + len(ending))
    for number in (11, 41, 81):
        raw[starts[number - 1] + 3] = 0xFF  # inside the line's second character
    decoded = decode_bytes(bytes(raw))
    assert decoded.damaged_lines == (11, 41, 81)
    warning = damage_warning(decoded)
    assert "在第 11、41、81 行（" in warning and "等" not in warning and "…" not in warning


# A saved web page: doctype, a head of styles and scripts (3.6 KB of ASCII), then its text.
HEAD = (
    "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>讲话</title>\n<style>\n"
    + "body { margin: 0; font-family: sans-serif; } .nav a { color: #333; }\n" * 30
    + "</style>\n<script>\n"
    + "var menu = document.getElementById('menu'); menu.className = 'open';\n" * 20
    + "</script></head><body>\n"
)


def paragraphs(count: int) -> str:
    return "".join(f"<p>{SIMPLIFIED}</p>\n<p>{TRADITIONAL}</p>\n" for _ in range(count))


def test_a_saved_web_page_is_judged_by_the_text_a_reader_sees_not_by_its_head():
    page = HEAD + paragraphs(20) + "</body></html>\n"
    assert decode_bytes(page.encode("utf-8")).text == page


def test_a_page_writing_its_chinese_as_character_references_is_chinese():
    page = "".join(f"&#{ord(ch)};" if ord(ch) > 127 else ch for ch in paragraphs(20))
    assert decode_bytes(page.encode("ascii")).text == page


def test_a_script_the_judged_window_ends_inside_is_not_judged_as_the_pages_text():
    # Ten short paragraphs, then a script four times as long as the first window: cut in its
    # middle, its code would be most of the letters judged.
    script = "<script>\n" + "function show(item) { item.style.display = 'block'; }\n" * 1200 + "</script>\n"
    page = HEAD + paragraphs(5) + script + "</body></html>\n"
    assert decode_bytes(page.encode("utf-8")).text == page


def test_an_english_web_page_with_the_same_head_is_still_refused_as_not_chinese():
    page = HEAD + "<p>The county council met on Monday to discuss the budget.</p>\n" * 100
    with pytest.raises(IngestError, match="not Chinese"):
        decode_bytes(page.encode("utf-8"))


def big5_page(*extra: str) -> str:
    return "\n".join([TRADITIONAL] * 10 + list(extra)) + "\n"


@pytest.mark.parametrize("own", ["經費合計€100萬。", "裏面", "圍碁", "恒心", "╔═╗"])
def test_a_windows_big5_page_with_a_character_of_cp950_alone_is_read_as_cp950(own):
    page = big5_page(own)
    decoded = decode_bytes(page.encode("cp950"))
    assert (decoded.text, decoded.encoding) == (page, "cp950")


def test_a_hong_kong_page_in_big5_hkscs_is_read_as_big5_hkscs():
    page = big5_page("佢哋講咗嘅嘢。")
    decoded = decode_bytes(page.encode("big5hkscs"))
    assert (decoded.text, decoded.encoding) == (page, "big5hkscs")


def test_a_hong_kong_page_with_a_euro_sign_is_read_whole():
    # € is A3E1 in cp950 and in HKSCS-2004, but not in Python's big5hkscs; 佢 is in no cp950.
    raw = big5_page().encode("big5") + "經費€".encode("cp950") + "佢哋講咗\n".encode("big5hkscs")
    decoded = decode_bytes(raw)
    assert (decoded.text, decoded.encoding, decoded.replaced) == (big5_page() + "經費€佢哋講咗\n", "big5hkscs", 0)


def test_a_big5_page_with_a_broken_byte_is_big5_with_the_byte_marked_not_refused():
    raw = bytearray(big5_page().encode("big5"))
    raw[200] = 0xFF  # never a Big5 byte
    decoded = decode_bytes(bytes(raw))
    assert decoded.encoding == "cp950" and decoded.replaced >= 1
    assert decoded.damaged_lines == (first_line_of(raw, 200),)
    lines = decoded.text.split("\n")
    assert [line for line in lines if line != TRADITIONAL] == [lines[first_line_of(raw, 200) - 1], ""]


def test_a_japanese_page_in_shift_jis_is_refused_as_japanese_not_as_rare_characters():
    # Read as GB18030, kana pairs are rare Han characters; charset-normalizer reads cp932.
    page = "日本の環境保護について、政府は新しい政策を発表しました。これは重要な一歩です。\n" * 30
    with pytest.raises(IngestError, match="Japanese"):
        decode_bytes(page.encode("shift_jis"))


# A head longer than the 4,000 characters judged, with no Han character in it.
LONG_HEAD = HEAD.replace("讲话", "Speech").replace("</style>", "p { margin: 1em 0; }\n" * 60 + "</style>")


def test_a_big5_web_page_whose_head_fills_the_judged_sample_is_read_as_big5():
    # Its readings were judged by the head alone and tied; GB18030 won the tie, and its
    # reading of 20 paragraphs of Big5 holds kana: refused as Japanese.
    page = LONG_HEAD + "".join(f"<p>{TRADITIONAL}</p>\n" for _ in range(20))
    decoded = decode_bytes(page.encode("big5"))
    assert (decoded.text, decoded.encoding) == (page, "big5")


def test_random_bytes_behind_a_long_head_are_refused_as_not_text():
    # Judged in the first 20,000 characters as they came, the head alone was judged.
    rng = random.Random(20)
    raw = (LONG_HEAD * 4).encode("ascii") + bytes(rng.randrange(0x81, 0xFF) for _ in range(20000))
    with pytest.raises(IngestError, match="rare"):
        decode_bytes(raw)


KOREAN = [
    "존경하는 국민 여러분, 오늘 우리는 새로운 경제 발전 계획을 발표하게 되었습니다.",
    "정부는 일자리 창출과 중소기업 지원을 위해 올해 예산의 상당 부분을 투입할 계획이다.",
    "의료진의 헌신적인 노력 덕분에 감염병 확산을 효과적으로 막을 수 있었습니다.",
]


@pytest.mark.parametrize("repeat", [1, 40])
@pytest.mark.parametrize("sentence", KOREAN)
def test_korean_in_euc_kr_is_refused_as_korean_not_kept_as_chinese(sentence, repeat):
    # Its Hangul bytes are GB2312's commonest Han characters: as GB18030, "粮版窍绰 惫刮…".
    with pytest.raises(IngestError, match="Korean"):
        decode_bytes(((sentence + "\n") * repeat).encode("euc-kr"))


def test_korean_in_utf8_is_refused_as_korean():
    with pytest.raises(IngestError, match="Korean"):
        decode_bytes("\n".join(KOREAN * 10).encode("utf-8"))


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_no_line_of_the_seed_pages_is_taken_for_korean(seed_bytes, encoding):
    # Short lines read as cp949 are often all Hangul (004 "(七)加强窨井盖安全管理。" is), and
    # the seeds' mojibake lines are as unlikely as Korean (002 "?。ㄈ┏鞘泄芾矸矫?/p>").
    for name, page in seed_bytes.items():
        for line in page.decode("utf-8").splitlines():
            raw = line.strip().encode(encoding, errors="ignore")
            if len(raw) >= 24:
                try:
                    decode_bytes(raw)
                except IngestError as refusal:
                    assert "Korean" not in str(refusal), (name, line)


def test_a_utf8_page_with_seven_percent_bad_bytes_is_refused_as_not_text():
    # Seven bytes in a hundred break a fifth of its three-byte characters (1 - 0.93³).
    # With a broken character counted three times among all, it was judged 22-25 %
    # garbage and kept (at 8 %, 002's speeches were kept 39 % 〓).
    raw = bytearray("\n".join([TRADITIONAL, SIMPLIFIED] * 40).encode("utf-8"))
    rng = random.Random(7)
    for spot in rng.sample(range(len(raw)), len(raw) * 7 // 100):
        raw[spot] = rng.choice([0xFF, 0xFE, 0xC0])
    with pytest.raises(IngestError, match="not text"):
        decode_bytes(bytes(raw))


def second_bytes(text: str, encoding: str) -> list[tuple[int, int]]:
    """(character index, byte offset) of the second byte of each two-byte character."""
    spots, offset = [], 0
    for index, ch in enumerate(text):
        width = len(ch.encode(encoding))
        if width == 2:
            spots.append((index, offset + 1))
        offset += width
    return spots


# 002's "予以宣傳" sentence, simplified, ASCII commas and all: charset-normalizer reads it,
# one byte broken, as Cyrillic.
COMMAS = "予以宣传,以鼓舞先进;对抓工作不力的单位,"


@pytest.mark.parametrize("paragraph", [ALL_CHINESE[:12], ALL_CHINESE, SIMPLIFIED, COMMAS])
def test_a_gbk_paragraph_with_a_broken_byte_is_gb18030_with_that_character_marked(paragraph):
    # Strict UTF-16 reads any even number of bytes: such a paragraph was read as UTF-16,
    # Hangul and private-use characters, and refused as not Chinese. Cyrillic is no
    # garbage either: the first reading that is no garbage was the file's.
    for index, spot in second_bytes(paragraph, "gbk"):
        raw = bytearray(paragraph.encode("gbk"))
        raw[spot] = 0xFF
        decoded = decode_bytes(bytes(raw))
        before, after = paragraph[:index], paragraph[index + 1 :]
        middle = decoded.text[len(before) : len(decoded.text) - len(after)]
        assert decoded.encoding == "gb18030" and decoded.text.startswith(before) and decoded.text.endswith(after)
        assert middle and set(middle) == {"\ufffd"}


@pytest.mark.parametrize("length", range(100, 106))
def test_an_english_latin1_page_is_refused_as_not_chinese_whatever_its_length(length):
    # An even length made it UTF-16 and refused as 70 % rare characters "read as utf-16-le".
    page = ("The county's economy grew this year. Café owners said so.\n" * 3)[:length]
    with pytest.raises(IngestError, match="not Chinese: 0% Han"):
        decode_bytes(page.encode("latin-1"))


@pytest.mark.parametrize("spot", range(0, 24, 2))
def test_a_short_gbk_paragraph_with_a_broken_first_byte_is_never_read_as_utf16(spot):
    # Past the broken byte, GB18030 pairs each character's second byte with the next's
    # first: kept with its holes near the end, refused as garbage earlier on. UTF-16
    # without a BOM reads the 24 bytes: kept as Chinese (ours, the first byte broken) or
    # refused as Korean Hangul (charset-normalizer's).
    raw = bytearray(ALL_CHINESE[:12].encode("gbk"))
    raw[spot] = 0xFF
    try:
        assert decode_bytes(bytes(raw)).encoding == "gb18030"
    except IngestError as refusal:
        assert "read as gb18030" in str(refusal)


@pytest.mark.parametrize(
    "page",
    [
        "\\" * 30000,
        "——————\n……………\n" * 50,
        "中" + "\\" * 30000,  # almost none: one Han character among the 4,000 judged
        "……",  # too short to judge by its letters, but no Han character at all
    ],
)
def test_a_file_of_punctuation_is_refused_as_not_chinese(page):
    with pytest.raises(IngestError, match="not Chinese: 0% of the characters are Han"):
        decode_bytes(page.encode("utf-8"))


def test_a_page_with_lines_of_punctuation_between_its_paragraphs_is_still_chinese():
    page = "\n".join([TRADITIONAL, "————————————", SIMPLIFIED, "……………"] * 20)
    assert decode_bytes(page.encode("utf-8")).text == page


@pytest.mark.parametrize("inside", [False, True])
@pytest.mark.parametrize("encoding, text", [("gbk", SIMPLIFIED), ("big5", TRADITIONAL)])
def test_a_few_nul_bytes_in_a_legacy_page_are_damage_as_in_utf8_not_a_binary_file(encoding, text, inside):
    # Two NULs in the first 8 KB, between lines or inside a line's last character (its 。
    # cut in two): as in a UTF-8 page, replaced and counted, and their lines named.
    page = "\n".join([text] * 200).encode(encoding)
    first, second = page.index(b"\n", 1000) - inside, page.index(b"\n", 5000) - inside
    raw = page[:first] + b"\x00" + page[first:second] + b"\x00" + page[second:]
    decoded = decode_bytes(raw)
    damaged = (first_line_of(bytearray(page), first), first_line_of(bytearray(page), second))
    assert "\x00" not in decoded.text and decoded.replaced >= 2 and decoded.damaged_lines == damaged
    lines = decoded.text.split("\n")
    assert len(lines) == 200 and all(line == text for n, line in enumerate(lines, 1) if n not in damaged)


def test_a_legacy_page_with_more_nul_bytes_than_one_in_a_hundred_is_still_binary():
    page = "\n".join([SIMPLIFIED] * 40).encode("gbk")
    with pytest.raises(IngestError, match="NUL bytes"):
        decode_bytes(page.replace(b"\n", b"\x00\x00\n"))


@pytest.mark.parametrize("encoding, text", [("gbk", SIMPLIFIED), ("big5", TRADITIONAL)])
def test_a_legacy_page_with_one_broken_byte_is_read_as_surely_as_a_whole_one(encoding, text):
    # Its other readings (GBK bytes read as Big5, or Big5 as GB18030) are far less likely
    # text: the broken byte says nothing about which encoding it is.
    raw = bytearray("\n".join([text] * 40).encode(encoding))
    raw[101] = 0xFF
    whole = decode_bytes("\n".join([text] * 40).encode(encoding))
    assert decode_bytes(bytes(raw)).confidence == whole.confidence == 1.0


def test_the_damage_warning_counts_bytes_and_marks_in_english_as_in_chinese():
    # 在 is E5 9C A8: with its last byte broken, E5 9C and FF are three bytes that could
    # not be decoded, one character marked.
    raw = bytearray("\n".join([TRADITIONAL] * 20).encode("utf-8"))
    raw[2] = 0xFF
    warning = damage_warning(decode_bytes(bytes(raw)))
    assert warning == (
        "按 utf-8 解码时有 3 个字节无法解码，以 1 个〓标出，在第 1 行"
        "（3 undecodable bytes marked by 1 〓 in the utf-8 text, on lines 1）"
    )


def test_a_gbk_page_with_a_third_of_its_lines_cut_mid_character_stays_gbk(seed_bytes):
    # Counted as whole UTF-8, the lines read as GB18030 once tipped such a page to UTF-8
    # (refused, or stored 16 % 〓).
    lines = seed_bytes["001_1ede3f202e9dcf26.txt"].decode("utf-8").split("\n")
    encoded = [line.encode("gb18030") for line in lines]

    # Every third line loses a byte of its last character of two bytes.
    def cut(line: bytes) -> bytes:
        last = max((i for i, byte in enumerate(line) if byte >= 0x80), default=None)
        return line if last is None else line[:last] + line[last + 1 :]

    cut_lines = [cut(line) if n % 3 == 0 and len(line) > 20 else line for n, line in enumerate(encoded)]
    decoded = decode_bytes(b"\n".join(cut_lines))
    assert decoded.encoding == "gb18030" and decoded.legacy_lines == ()


@pytest.mark.parametrize("short", ["同志们：", "谢谢大家！"])
def test_a_short_gbk_line_in_a_utf8_page_is_read_as_gbk(short):
    # Many GBK pairs are UTF-8 pairs too: 同志们： read as UTF-8 was ͬ־〓ǣ〓.
    lines = [SIMPLIFIED] * 10
    raw = "\n".join(lines[:5]).encode("utf-8") + b"\n" + short.encode("gbk") + b"\n" + "\n".join(lines[5:]).encode()
    decoded = decode_bytes(raw)
    assert decoded.text.split("\n")[5] == short and decoded.legacy_lines == (6,)


def test_a_utf8_pages_last_character_cut_is_marked_not_read_as_gbk():
    # Its two bytes left (\xe4\xb8 of 一) read as GB18030 were 涓, a character invented.
    raw = "\n".join([SIMPLIFIED] * 10).encode("utf-8") + "\n一".encode()[:-1]
    decoded = decode_bytes(raw)
    assert decoded.text.endswith("\n" + MARKER) and decoded.legacy_lines == ()


def test_a_utf8_page_with_a_byte_order_mark_reads_its_gbk_lines_too():
    lines = [SIMPLIFIED, TRADITIONAL] * 150
    body = "\n".join(lines[:150]).encode("utf-8") + b"\n" + "\n".join(lines[150:]).encode("gb18030")
    decoded = decode_bytes(codecs.BOM_UTF8 + body)
    assert decoded.encoding == "utf-8" and decoded.bom and decoded.text == "\n".join(lines)


def test_a_page_ending_its_lines_with_cr_alone_reads_its_gbk_line_and_numbers_it_as_editors_do():
    lines = [SIMPLIFIED] * 20
    raw = "\r".join(lines[:8]).encode("utf-8") + b"\r" + TRADITIONAL.encode("gbk") + b"\r"
    raw += "\r".join(lines[8:]).encode("utf-8")
    decoded = decode_bytes(raw)
    assert decoded.legacy_lines == (9,) and decoded.text.split("\r")[8] == TRADITIONAL


# 004, line 39, as the seed writes it (ASCII commas), and its traditional form as a Big5
# site would write it.
TRADE_FAIRS = (
    "一是配合大型经贸交流活动,全方位、立体化推介太原取得显著成效。去年,我市外宣参与了"
    "“沪洽会”“厦洽会”、“高交会”、“中博会”、“文博会”、国际镁业大会、新晋商大会等一系列大型经贸活动。"
)
TRADE_FAIRS_TRADITIONAL = (
    "一是配合大型經貿交流活動,全方位、立體化推介太原取得顯著成效。去年,我市外宣參與了"
    "“滬洽會”“廈洽會”、“高交會”、“中博會”、“文博會”、國際鎂業大會、新晉商大會等一系列大型經貿活動。"
)


def _without_byte_of(text: str, encoding: str, character: str, which: int) -> bytes:
    raw = text.encode(encoding)
    spot = raw.index(character.encode(encoding)) + which
    return raw[:spot] + raw[spot + 1 :]


@pytest.mark.parametrize("which", [0, 1])
def test_a_gbk_page_that_lost_a_byte_reads_in_step_after_it_with_the_lost_character_marked(which):
    # Read on one byte off, the rest of the sentence was common characters that make no
    # sense (新〓檀蠡岬纫…), stored and searchable; only the decoder's U+FFFD at the
    # line's end said anything was wrong.
    page = (TRADE_FAIRS + "\n") * 3
    decoded = decode_bytes(_without_byte_of(page, "gbk", "晋", which))
    assert decoded.encoding == "gb18030"
    assert decoded.text == page.replace("晋", MARKER, 1)
    assert (decoded.replaced, decoded.realigned, decoded.damaged_lines) == (1, 1, (1,))
    warning = damage_warning(decoded)
    assert "其中 1 处缺一个字节，缺字以〓标出，其后的文字已重新对齐" in warning
    assert "at 1 of them a byte was lost" in warning


def test_a_big5_page_that_lost_a_byte_reads_in_step_after_it_though_the_decoder_saw_no_error():
    # In Big5 the shift ends silently, at a trail byte read as an ASCII letter (新夆茪j會):
    # no U+FFFD, no warning, the characters invented.
    page = (TRADE_FAIRS_TRADITIONAL + "\n") * 3
    decoded = decode_bytes(_without_byte_of(page, "big5", "晉", 0))
    assert decoded.encoding == "big5"
    assert decoded.text == page.replace("晉", MARKER, 1)
    assert (decoded.replaced, decoded.realigned) == (1, 1)


@pytest.mark.parametrize(("character", "which"), [("晉", 1), ("參", 0), ("會", 1), ("國", 0)])
def test_a_traditional_page_in_gbk_that_lost_a_byte_reads_in_step_after_it_though_the_decoder_saw_no_error(
    character, which
):
    # GBK writes the traditional characters of its extension with ASCII trail bytes (晉 is
    # 95 78, an "x"): the shift ended there, silently, and 全面推進鄉村振興 was stored as
    # 全面推進啻逭衽d, with no U+FFFD and no warning (an audit's page of new text).
    page = (TRADE_FAIRS_TRADITIONAL + "\n") * 3
    decoded = decode_bytes(_without_byte_of(page, "gbk", character, which))
    assert decoded.text == page.replace(character, MARKER, 1)
    assert decoded.realigned == 1


def test_a_short_gbk_paragraph_that_lost_a_byte_is_read_not_refused_as_garbage():
    # Judged before it was read in step again, the shifted half made it "29 % 乱码".
    decoded = decode_bytes(_without_byte_of(TRADE_FAIRS, "gbk", "沪", 0))
    assert decoded.text == TRADE_FAIRS.replace("沪", MARKER)


def test_every_byte_a_gbk_paragraph_may_lose_costs_it_one_marked_character_and_no_more():
    page = ALL_CHINESE * 4 + "\n"
    raw = page.encode("gbk")
    for spot in range(1, len(raw) - 3, 7):
        decoded = decode_bytes(raw[:spot] + raw[spot + 1 :])
        lost = spot // 2
        assert decoded.text == page[:lost] + MARKER + page[lost + 1 :], spot


@pytest.mark.parametrize("encoding", ["gb18030", "big5"])
def test_no_seed_page_whole_in_a_double_byte_encoding_is_read_again_anywhere(seed_bytes, encoding):
    from speeches.ingest.realign import realign_lost_bytes

    for name, page in seed_bytes.items():
        raw = page.decode("utf-8").encode(encoding, "replace")
        read = raw.decode(encoding, "replace")
        assert realign_lost_bytes(raw, read, encoding) == (read, (), 0), name


def test_a_utf16_page_without_a_bom_cut_by_a_byte_is_read_with_its_last_character_marked():
    # Refused whole as a binary file (its NUL bytes); with a BOM, or of even length, it was read.
    page = ALL_CHINESE * 4
    decoded = decode_bytes(page.encode("utf-16-le")[:-1])
    assert decoded.encoding == "utf-16-le" and decoded.text == page[:-1] + MARKER and decoded.marks == 1


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_a_byte_order_mark_before_a_gbk_page_does_not_make_it_garbage(bom):
    # A tool that put a BOM before GBK bytes: refused as garbage "read as utf-8", or as Korean.
    page = (TRADE_FAIRS + "\n") * 4
    decoded = decode_bytes(bom + page.encode("gbk"))
    assert decoded.encoding == "gb18030" and decoded.text == page


def _records() -> list[dict]:
    return [{"title": "在全市外宣工作会议上的讲话", "text": TRADE_FAIRS}, {"title": "第二篇", "text": SIMPLIFIED * 3}]


@pytest.mark.parametrize(
    "raw, kind",
    [
        (json.dumps(_records(), ensure_ascii=False).encode(), "JSON"),
        ("\n".join(json.dumps(r, ensure_ascii=False) for r in _records()).encode(), "JSON Lines"),
    ],
)
def test_a_scrapers_json_export_is_refused_as_data_not_stored_as_one_speech(raw, kind):
    # Stored as one "speech" titled [{"title": "…", "speaker": ", its records and quotes in the text.
    with pytest.raises(IngestError, match=f"这是 {kind} 数据"):
        decode_bytes(raw)


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_spreadsheets_csv_export_is_refused_as_data_not_stored_as_one_speech(delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["title", "date", "text"])
    for record in _records():
        writer.writerow([record["title"], "2020-01-01", record["text"] + "\n" + record["text"]])
    with pytest.raises(IngestError, match="这是 CSV 表格数据"):
        decode_bytes(buffer.getvalue().encode("utf-8"))


def test_a_page_whose_first_line_is_site_chrome_in_ascii_is_still_a_page():
    page = "Home, About, Contact\n" + (TRADE_FAIRS + "\n") * 4
    assert decode_bytes(page.encode()).text == page


def test_a_page_whose_first_sentence_has_as_many_ascii_commas_as_a_header_is_still_a_page():
    # 004 writes ASCII commas: TRADE_FAIRS splits into three fields, as title,date,text does.
    page = (TRADE_FAIRS + "\n") * 4
    assert decode_bytes(page.encode()).text == page


def test_a_title_line_read_as_windows_1252_and_saved_again_is_mended_its_lost_byte_marked():
    # Stored as the speech's title: åœ¨å…¨å¸‚å¯¹å¤–…, no warning. 话's last byte (9D) has
    # no character in Windows-1252: lost, so marked.
    title = "在全市对外宣传工作会议上的讲话"
    raw = (title.encode("utf-8").decode("cp1252", "replace") + "\n" + TRADE_FAIRS + "\n").encode("utf-8")
    decoded = decode_bytes(raw)
    assert decoded.text == title[:-1] + MARKER + "\n" + TRADE_FAIRS + "\n"
    assert decoded.undoubled_lines == (1,) and decoded.marks == 1
    parsed = parse_document(raw)
    warnings = [w for step in parsed.report for w in step.warnings]
    assert any("第 1 行（共 1 行）曾被当作 Windows-1252/Latin-1 读过再存为 UTF-8" in w for w in warnings)


def test_a_page_read_as_latin1_and_saved_as_utf8_whole_is_mended_not_refused_as_garbage():
    page = (TRADE_FAIRS + "\n") * 5
    decoded = decode_bytes(page.encode("utf-8").decode("latin-1").encode("utf-8"))
    assert decoded.text == page and decoded.undoubled_lines == (1, 2, 3, 4, 5)


def test_no_seed_line_is_taken_for_text_read_as_windows_1252(seed_bytes):
    for name, page in seed_bytes.items():
        assert not decode_bytes(page).undoubled_lines, name


def test_the_sites_own_lost_characters_written_as_kun_jin_kao_are_marked_and_reported():
    # 锟斤拷 is U+FFFD twice in UTF-8 read as GBK: two characters lost before the page
    # reached the archive. It was stored as text, searchable, and the report said nothing.
    page = TRADE_FAIRS.replace("新晋商", "新锟斤拷") + "\n"
    decoded = decode_bytes(page.encode("utf-8"))
    assert decoded.text == TRADE_FAIRS.replace("新晋商", "新〓〓") + "\n"
    assert decoded.lost_on_site == (1,) and not decoded.replaced
    warnings = [w for step in parse_document(page.encode("utf-8")).report for w in step.warnings]
    assert any(w.startswith("第 1 行有“锟斤拷”：原网页在存档之前已丢失这些字") for w in warnings)


@pytest.mark.parametrize("blank", ["\u3000" * 40 + "\n", "\xa0 \u3000\r\n" * 10])
def test_a_file_of_ideographic_or_no_break_spaces_is_refused_as_empty_not_as_not_chinese(blank):
    with pytest.raises(IngestError, match="文件为空：只有空白字符"):
        decode_bytes(blank.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        # Excel for Mac ends its lines in CR alone; the csv module refused the rows.
        "title,date,text\r" + "\r".join(f"讲话{i},2020-01-01,{ALL_CHINESE}" for i in range(3)) + "\r",
        # A quote never closed, past the csv module's field limit: it gave up mid-read.
        "标题,作者\n" + "讲话,某某\n" * 3 + '"' + ALL_CHINESE * 5000,
    ],
)
def test_a_csv_the_csv_module_cannot_read_to_the_end_is_still_refused_not_an_internal_error(text):
    with pytest.raises(IngestError, match="这是 CSV 表格数据"):
        decode_bytes(text.encode("utf-8"))


def test_the_warning_says_there_are_more_lines_when_more_than_five_lost_a_byte():
    # Realigned lines hold no U+FFFD: eight of them were listed as five, with no 等.
    lines = [TRADE_FAIRS.replace(",", "，") for _ in range(8)]
    raw = b"".join(_without_byte_of(line, "gbk", "晋", 0) + b"\n" for line in lines)
    decoded = decode_bytes(raw)
    assert decoded.realigned == 8 and decoded.damaged_line_count == 8
    assert "在第 1、2、3、4、5 行等" in damage_warning(decoded)


def test_lines_read_in_step_again_stay_counted_on_a_page_that_also_holds_nul_bytes():
    # The NULs were replaced after the realignment, and the count of places and lines
    # was made again from U+FFFD alone: the realigned lines dropped out of the warning.
    lost = b"".join(_without_byte_of(TRADE_FAIRS.replace(",", "，"), "gbk", "晋", 0) + b"\n" for _ in range(3))
    nul = b"".join(TRADE_FAIRS.encode("gbk").replace("大型".encode("gbk"), b"\x00\x00") + b"\n" for _ in range(4))
    decoded = decode_bytes(lost + nul + (TRADE_FAIRS + "\n").encode("gbk") * 3)
    assert decoded.realigned == 3 and decoded.damaged_line_count == 7
    assert "在第 1、2、3、4、5 行等" in damage_warning(decoded)
