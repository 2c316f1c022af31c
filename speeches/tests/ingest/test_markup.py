"""Markup: what a reader of the page would not see goes, before any other step."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from speeches.ingest.markup import strip_markup
from speeches.ingest.pipeline import parse_document

DECLARATIONS = '<?xml version="1.0" encoding="GBK"?>\n<?xml-stylesheet type="text/xsl" href="page.xsl"?>\n'
SPEECH = "\n".join(
    ["在全市森林防火工作推进会上的讲话", "同志们:", "今天我们在这里召开大会,主要任务是传达贯彻全省精神。" * 3]
)


def test_an_xml_declaration_and_a_processing_instruction_are_stripped_as_tags_are():
    assert strip_markup(DECLARATIONS + "同志们:") == ("\n\n同志们:", 2, 0)


def test_a_page_opening_with_an_xml_declaration_has_no_preamble_and_no_damage_from_it():
    # Kept, its "?" was read as a damaged character: a public preamble "<〓xml version…".
    parsed = parse_document((DECLARATIONS + SPEECH).encode("gbk"))
    assert parsed.preamble == ""
    assert not any("〓" in warning for step in parsed.report for warning in step.warnings)


def test_characters_of_no_width_are_dropped_so_that_a_phrase_holding_one_is_found():

    text = "常态化\u200b疫情\u200d防控\u00ad工作\u2060，\ufeff同志们\u200e"
    assert strip_markup(text)[0] == "常态化疫情防控工作，同志们"
    # Direction overrides and isolates, as a page pasted from a right-to-left tool has them.
    assert strip_markup("\u202e常态化\u202c疫情\u2066防控\u2069")[0] == "常态化疫情防控"
    assert strip_markup(f"<p>{text}</p>")[0].strip() == "常态化疫情防控工作，同志们"


def test_a_page_break_ends_a_line_and_other_control_characters_are_dropped():
    # A form feed between a scraper's pages stood inside a sentence, and made every
    # Atom feed listing the speech a server error (XML 1.0 cannot carry it).
    text = "同志们:\x0c今天召开\x01会议\x1b。\u2028散会\x7f。\t完"
    assert strip_markup(text)[0] == "同志们:\n今天召开会议。\n散会。\t完"
    assert strip_markup(f"<p>{text}</p>")[0].strip() == "同志们:\n今天召开会议。\n散会。\t完"


def test_a_speech_with_control_characters_is_stored_without_them():
    parsed = parse_document((SPEECH.replace("主要任务", "主要\x0b任务\x07")).encode("utf-8"))
    text = "\n".join(speech.text for speech in parsed.speeches)
    assert not any(ch in text for ch in "\x0b\x07") and "主要" in text and "任务是传达" in text


@given(
    st.lists(
        st.sampled_from(["<!--", "-->", "<script>", "</script>", "<SCRIPT x=1>", "</script >", "中文", "a", ">"]),
        max_size=24,
    )
)
def test_a_span_is_removed_from_its_opener_to_the_first_closer_after_it_as_a_lazy_pattern_does(parts):
    # One pass, where the lazy pattern scanned from every opener no closer follows to the
    # end of the text (32,000 "<!--" in an upload parsed past gunicorn's timeout).
    from speeches.ingest.markup import _COMMENT, _SCRIPT, spans_removed

    text = "".join(parts)
    assert spans_removed(text, *_COMMENT) == re.subn(r"<!--.*?-->", "", text, flags=re.S)
    assert spans_removed(text, *_SCRIPT) == re.subn(r"<script\b[^<>]*>.*?</script\s*>", "", text, flags=re.S | re.I)
