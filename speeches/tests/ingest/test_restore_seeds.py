"""The restoration steps on the five seed pages, checked whole: no annotation, junk or unrepaired run left, nothing undamaged lost."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from speeches.ingest import parse_document
from speeches.ingest.annotations import is_reading, strip_pinyin_annotations
from speeches.ingest.clean import LINK_WORDS, clean_lines, page_adverts, strip_inline_chrome
from speeches.ingest.decode import decode_bytes
from speeches.ingest.markup import strip_markup
from speeches.ingest.mojibake.corpus_tables import clean_segments
from speeches.ingest.restore import restore_lines
from speeches.ingest.script import to_simplified, zhang_for_accounts, zhe_for_zhu

ROOT = Path(__file__).resolve().parents[3]
SEEDS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "corpus" / "seeds").glob("*.txt"))
ANNOTATION = re.compile(r"([\u4e00-\u9fff])[(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,7})[)）]")
# Lines that are site chrome wherever they appear.
JUNK = re.compile(
    r"小编|范文网|文档网|^仅供参考|^字号|^首页\s*>|^作者[:：]|当前第|^[0-9]{1,3}$|^共$|^页$|当前隐藏内容|<[a-zA-Z/]|&[a-z]+;"
)
HAN = re.compile(r"[\u4e00-\u9fff]")
MIN_SEGMENT = 4


@cache
def parsed(seed: str):
    return parse_document((ROOT / seed).read_bytes())


@cache
def cleaned_lines(seed: str):
    lines, _ = restore_lines(decode_bytes((ROOT / seed).read_bytes()).text)
    return clean_lines(lines)[0]


def han(text: str) -> str:
    return "".join(HAN.findall(text))


@pytest.mark.parametrize("seed", SEEDS)
def test_no_pinyin_annotation_is_left_in_any_speech(seed):
    for speech in parsed(seed).speeches:
        left = [m.group(0) for m in ANNOTATION.finditer(speech.text) if is_reading(m.group(1), m.group(2))]
        assert not left, (speech.ordinal, left[:5])


@pytest.mark.parametrize("seed", SEEDS)
def test_no_junk_line_is_left_inside_any_speech(seed):
    for speech in parsed(seed).speeches:
        for paragraph in speech.text.split("\n"):
            assert not JUNK.search(paragraph), (speech.ordinal, paragraph[:60])
            assert paragraph.rstrip("。.") not in LINK_WORDS, (speech.ordinal, paragraph)


# What a sentence broken by the site looks like once restored: a paragraph opening with
# a mark no paragraph opens with, a stop after an opening quote, or a few characters and a
# stop between two paragraphs that read as one sentence. (Short paragraphs that are the
# speech's own: "谢谢大家。" at its end, "大家好。" after its salutation.)
BROKEN_OPENING = re.compile(r"^[,，、;；:：”’)）》!！?？。]")
DOUBLED_MARK = re.compile(r".{0,8}(?:[:：;；,，、]。|。[,，、;；]|(?<!。)。。(?!。)).{0,8}")
SHORT_OWN = {"谢谢大家。", "大家好。", "谢谢。"}


@pytest.mark.parametrize("seed", SEEDS)
def test_no_speech_holds_a_sentence_the_site_broke_over_lines(seed):
    for speech in parsed(seed).speeches:
        paragraphs = [p for p in speech.text.split("\n") if p]
        for paragraph in paragraphs:
            assert not BROKEN_OPENING.match(paragraph), (speech.ordinal, paragraph[:30])
            assert not paragraph.endswith("“。"), (speech.ordinal, paragraph[-30:])
            # A stop the site set beside a sentence's own mark (000 "同志們:。", 003 "基地。,").
            assert not DOUBLED_MARK.search(paragraph), (speech.ordinal, DOUBLED_MARK.search(paragraph).group())
            # A verb that takes what follows does not end a sentence (001 要携带。/ 要采取。).
            assert not re.search(r"(采取|携带|加以|予以|给予|具有|成为|属于)。$", paragraph), paragraph[-30:]
        for before, short, after in zip(paragraphs, paragraphs[1:], paragraphs[2:], strict=False):
            if re.fullmatch(r"[\u4e00-\u9fff]{1,6}。", short) and short not in SHORT_OWN:
                assert not before.endswith("。"), (speech.ordinal, before[-20:], short, after[:20])


@pytest.mark.parametrize("seed", SEEDS)
def test_every_undamaged_stretch_of_the_source_is_in_the_output(seed):
    """Alignment: each stretch of a kept source line that mojibake cannot have touched
    (see clean_segments) appears, simplified, in the restored text; the damaged
    stretches were repaired or marked by the mojibake step, whose report counts them."""
    lines = cleaned_lines(seed)
    output = han("\n".join(line.text for line in lines))
    restored = restore_lines(decode_bytes((ROOT / seed).read_bytes()).text)[0]
    adverts = page_adverts("\n".join(line.text for line in restored))
    missing = []
    for line in lines:
        if line.junk not in ("", "joined"):
            continue
        source = strip_pinyin_annotations(strip_markup(line.raw)[0])[0]
        for segment in clean_segments(source):
            wanted = strip_inline_chrome(zhang_for_accounts(zhe_for_zhu(to_simplified(segment))))
            wanted = han(adverts.sub("", wanted) if adverts else wanted)
            if len(wanted) >= MIN_SEGMENT and wanted not in output:
                missing.append((line.number, segment[:30]))
    assert not missing, missing[:5]


@pytest.mark.parametrize("seed", SEEDS)
def test_no_garbled_run_is_left_unrepaired_or_unmarked(seed):
    """A `?` left in a speech is a question mark the model judged legitimate; none may
    stand in front of text that still reads as a shifted run."""
    report = {step.step: step.counts for step in parsed(seed).report}["mojibake"]
    assert report["runs_found"] == report["runs_repaired"] + report["runs_marked"]


def test_the_report_says_what_each_restoration_step_did():
    steps = {step.step: step for step in parsed(SEEDS[0]).report}
    assert steps["decode"].examples and "utf-8" in steps["decode"].examples[0]
    assert steps["pinyin"].counts["annotations_removed"] > 1000
    assert steps["mojibake"].counts["runs_found"] > 10
    assert steps["mojibake"].examples
    assert steps["clean"].counts["editor-boilerplate"] >= 1


@pytest.mark.parametrize("seed", SEEDS)
def test_no_speech_holds_a_character_that_is_neither_han_punctuation_digit_nor_latin_of_its_source(seed):
    import unicodedata

    from speeches.ingest.script import simplify_chars

    source_letters = set(simplify_chars((ROOT / seed).read_text(encoding="utf-8")).lower())
    for speech in parsed(seed).speeches:
        odd = {
            ch
            for ch in speech.text
            if not (ch.isspace() or HAN.match(ch) or unicodedata.category(ch)[0] in "PN" or ch == "〓")
            and simplify_chars(ch).lower() not in source_letters
        }
        assert not odd, (speech.ordinal, odd)
        # Not even one the source holds: a private-use character is mojibake, never text.
        assert not {ch for ch in speech.text if unicodedata.category(ch) == "Co"}, speech.ordinal


def test_a_repair_marks_a_latin_letter_a_gbk_pair_would_spell_instead_of_writing_it():
    from speeches.ingest.mojibake import may_be_written

    # 003's 勇擔重任 came out 勇彻任ｖ到自觉 before: ｖ was never in the page.
    assert not may_be_written("ｖ") and not may_be_written("v") and not may_be_written("Ω")
    assert may_be_written("擔") and may_be_written("，") and may_be_written("2") and may_be_written("〇")
