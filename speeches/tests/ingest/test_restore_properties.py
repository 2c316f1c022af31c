"""Property tests: the restoration steps never crash, are idempotent, and never lose text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from speeches.ingest.clean import LINK_WORDS, clean_lines
from speeches.ingest.decode import decode_bytes
from speeches.ingest.markup import strip_markup
from speeches.ingest.restore import restore_lines, restore_text
from speeches.ingest.types import IngestError

# Characters of the seeds' speeches (traditional and simplified), the seeds' damage
# (garbled GBK, ?, pinyin, brackets, tags) and plain ASCII.
SPEECH = "同志們我们今天在這里召开大會主要任務是傳达貫徹全省精神文明建設表彰推进會議工作发展实施"
DAMAGE = "荚嚢踩偨梢哉叭▋善脚_┏鞘泄芾硭教嵘こ〉昧艘恍?？()（）<>/&;pxnèiguī"
ALPHABET = SPEECH + DAMAGE + "，。、:,!\n 0123456789abcxyz"
HAN = re.compile(r"[\u4e00-\u9fff]")
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(st.text(alphabet=ALPHABET, max_size=80))
# Lines are those of the source after markup (restore.py, markup.py): a block tag ends a
# line, a tag written over two lines is no line break of the text. Every later step keeps
# them one for one.
@example("<a\n>")
@example("一<p>二")
def test_restoring_never_crashes_on_seed_like_text(text):
    lines, reports = restore_lines(text)
    stripped = strip_markup(text)[0]
    assert len(lines) == len(stripped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    clean_lines(lines)


@PROPERTY_SETTINGS
@given(st.text(max_size=60))
def test_restoring_never_crashes_on_any_text_and_gives_text_lines(text):
    lines, _ = clean_lines(restore_lines(text)[0])
    assert all(isinstance(line.text, str) and "\n" not in line.text for line in lines)


@PROPERTY_SETTINGS
@given(st.binary(max_size=200))
def test_decoding_never_crashes_on_any_bytes(raw):
    try:
        decoded = decode_bytes(raw)
    except IngestError:
        return
    assert isinstance(decoded.text, str)
    restore_lines(decoded.text)


@PROPERTY_SETTINGS
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_restoring_restored_text_changes_nothing(text):
    once = restore_text(text)
    assert restore_text(once) == once


def _no_link_word_alone(paragraphs: list[str]) -> bool:
    """A paragraph that is only a word of the sites' link bar (作文, 工作总结) is one the
    site inserted, and goes: speech text is the rest."""
    return not any(p.strip().rstrip("。，、") in LINK_WORDS for p in paragraphs)


@PROPERTY_SETTINGS
@given(
    st.lists(st.text(alphabet=SPEECH + "，。、", min_size=1, max_size=40), min_size=1, max_size=6).filter(
        _no_link_word_alone
    )
)
def test_clean_speech_text_loses_no_han_character(paragraphs):
    text = "\n".join(paragraphs)
    lines, _ = clean_lines(restore_lines(text)[0])
    before = len(HAN.findall(text))
    after = sum(len(HAN.findall(line.text)) for line in lines)
    assert after == before


@PROPERTY_SETTINGS
@given(st.text(alphabet=SPEECH + "，。、:,0123456789", max_size=80))
def test_text_without_damage_keeps_every_han_character_in_place(text):
    restored = restore_text(text)
    assert len(HAN.findall(restored)) == len(HAN.findall(text))
