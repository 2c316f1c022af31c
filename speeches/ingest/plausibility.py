"""How plausible a decoded text is as a page of Chinese speeches, judged on a sample of
what a reader sees of it: how much of it is garbage (refuse_garbage), how common its
characters are together (text_likelihood), what language it is in (refuse_not_chinese).
decode.py asks it of every reading it tries.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .markup import strip_markup
from .types import Decoded, IngestError

_SAMPLE = 4000
# Garbage: the share of characters that are no text (replaced, unassigned, private use,
# control) or rare Han characters: outside GB2312's first level, the 3,755 commonest,
# once simplified. The seed pages (mojibake included; as UTF-8, Big5 or GB18030): at
# most 0.2 %; random high bytes read as GB18030, Big5 or UTF-16: 44-66 %. A table
# lookup, so a clean upload does not load the character model just to be judged.
_MAX_GARBAGE_SHARE = 0.25
# Too little text to judge: shorter uploads are let through and read by a person. (At 50,
# 90 random high bytes, 45 rare characters, were a "speech".)
_MIN_JUDGED = 12


def visible_sample(text: str, size: int = _SAMPLE) -> str:
    """The first characters a reader of the page would see: its markup, styles and scripts
    gone, character references (&#20013;) resolved, as markup.strip_markup leaves them.
    A saved web page opens with kilobytes of head, CSS and scripts: judged as it came, it
    was "0 % Han characters", and a Big5 page's readings tied, none having a Han
    character to score. The window grows until it shows `size` characters of text: a
    page with a few tags is stripped once, in its first 4 × size characters."""
    if "<" not in text[:size] and "&" not in text[:size]:
        return text[:size]
    window = size * 4
    while True:
        visible = strip_markup(_without_open_element(text[:window]), controls=False)[0]
        if len(visible) >= size or window >= len(text):
            return visible[:size]
        window *= 4


# A window may end inside a script, a style or a comment: its text, cut from its closing
# tag, would be kept as a reader's text (strip_markup removes only whole elements).
_OPENING = re.compile(r"<(?:script|style)\b|<!--", re.I)
_CLOSING = re.compile(r"</(?:script|style)\s*>|-->", re.I)


def _without_open_element(window: str) -> str:
    openings = list(_OPENING.finditer(window))
    if not openings:
        return window
    last = openings[-1]
    return window if _CLOSING.search(window, last.end()) else window[: last.start()]


def text_likelihood(text: str) -> float:
    """Mean log-probability of the sample's Han characters under the character model.

    Big5 bytes read as GB18030 are mostly valid Han characters too, so "how much CJK"
    cannot tell the two apart; how *common* the characters are can (實施 vs 細爾)."""
    from .mojibake.language_model import char_lm
    from .script import simplify_chars

    lm = char_lm()
    han = [ch for ch in visible_sample(text) if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return -20.0
    return sum(lm.unigram_logp(simplify_chars(ch)) for ch in han) / len(han)


# How common its characters are together tells Chinese text from other bytes read as
# Han characters (text_likelihood, nats per character): Korean in EUC-KR read as GB18030
# scores -9.8 to -10.2 (-11.4 with Hanja), the seed pages -6.8 to -7.2 in every 4,000
# characters, their clean lines of 12 characters or more down to -8.0 (004
# "(七)加强窨井盖安全管理。"); their mojibake lines down to -11.8 (002
# "?。ㄈ┏鞘泄芾矸矫?/p>"), so a low score alone proves nothing.
_MIN_CHINESE_LIKELIHOOD = -9.0


def likely_chinese(text: str) -> bool:
    return text_likelihood(text) >= _MIN_CHINESE_LIKELIHOOD


def reads_as_chinese(text: str) -> bool:
    """Mostly Han characters, and characters as common together as Chinese text's."""
    sample = visible_sample(text)
    han = len(HAN.findall(sample))
    return han >= len(_LETTER.findall(sample)) * _MIN_HAN_SHARE and likely_chinese(text)


def garbage_share(text: str) -> float | None:
    """The share of the sample that is no text or rare Han characters; None when the
    sample is too short to judge."""
    shares = garbage_shares(text)
    return None if shares is None else shares[1]


def garbage_shares(text: str) -> tuple[float, float] | None:
    """The share of garbage at least and as judged (garbage_share), None when the sample is
    too short to judge. They differ when replacement marks stand in runs longer than one
    broken character's."""
    # Counted per distinct character: a page's 20,000 judged characters are a few
    # thousand distinct ones. The loop over every character took 0.10 s of a 1.35 s
    # cold pass over the seeds (now 0.02), and parse_many decodes every page twice.
    # str.split() drops what isspace() calls space.
    sample = "".join(visible_sample(text, _SAMPLE * 5).split())
    if len(sample) < _MIN_JUDGED:
        return None
    # The bytes of one broken UTF-8 character are replaced one by one: a run of up to
    # three is one character, once among the bad ones and once among all. (Counted once
    # above the line and three times below it, 002's speeches with 8 % of their bytes
    # broken were judged 24.8 % garbage, and kept 39 % 〓.) A longer run is no broken
    # character but text in another encoding (a page whose second half is GBK read as
    # UTF-8: counted once a run, it was judged 7 % garbage, and kept as a speech 76 % 〓):
    # every character of it counts. Or it is broken characters side by side, at least one
    # for every three marks: that count is the lower figure, which a refusal states with
    # the judged one (for 8 % of a page's bytes broken: 20.7 % garbage in truth, 29 % judged).
    runs = [len(run) for run in _REPLACED_RUN.findall(sample)]
    rare = sum(count for ch, count in Counter(sample).items() if ch != "\ufffd" and _is_garbage(ch))
    marks = sum(runs)

    def share(characters_in_runs: int) -> float:
        return (rare + characters_in_runs) / (len(sample) - marks + characters_in_runs)

    judged = sum(1 if length <= _BROKEN_CHARACTER else length for length in runs)
    least = sum(-(-length // _BROKEN_CHARACTER) for length in runs)
    return share(least), share(judged)


@lru_cache(maxsize=65536)
def _is_garbage(ch: str) -> bool:
    """No text (unassigned, private use, control, surrogate) or a rare Han character."""
    from .script import simplify_chars

    if unicodedata.category(ch) in ("Cn", "Co", "Cc", "Cs"):
        return True
    return "\u3400" <= ch <= "\u9fff" and not _common_han(simplify_chars(ch))


def _common_han(ch: str) -> bool:
    """In GB2312's first level (lead bytes B0-D7): the characters of everyday text."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def is_garbage_text(decoded: Decoded) -> bool:
    share = garbage_share(decoded.text)
    return share is not None and share > _MAX_GARBAGE_SHARE


def refuse_garbage(decoded: Decoded) -> Decoded:
    shares = garbage_shares(decoded.text)
    if shares is not None and shares[1] > _MAX_GARBAGE_SHARE:
        least, judged = (f"{share:.0%}" for share in shares)
        # Runs of replacement marks may be broken characters side by side or text in
        # another encoding (garbage_shares): the reason gives the share both ways.
        figure = judged if least == judged else f"{least[:-1]}–{judged}"
        raise IngestError(
            f"不是可读的文本：按 {decoded.encoding} 解码后 {figure} 的字符是乱码或罕用字"
            f"（not text: {figure} of the characters are undecodable or rare when read as {decoded.encoding}）"
        )
    return decoded


_REPLACED_RUN = re.compile("\ufffd+")
_BROKEN_CHARACTER = 3


# A page of Chinese speeches is mostly Han characters: the seed pages 67-99 % of their
# letters and digits (pinyin annotations are most of the rest). Random printable bytes,
# base64 or an English page have none, and the mojibake step made Han characters of
# them; a Japanese page shares the Han characters but writes kana.
_MIN_HAN_SHARE = 0.3
_MAX_KANA_SHARE = 0.05
_MAX_HANGUL_SHARE = 0.05  # a Korean page, as a Japanese one; the seed pages have no Hangul


def refuse_not_chinese(decoded: Decoded) -> Decoded:
    sample = visible_sample(decoded.text)  # a page's first 4,000 characters tell its language
    refuse_other_letters(sample)
    refuse_without_han_text(sample)
    return decoded


def refuse_other_letters(sample: str) -> None:
    """Kana (Japanese), Hangul (Korean), or too few Han characters among the letters."""
    letters = len(_LETTER.findall(sample))
    if letters < _MIN_JUDGED:
        return
    han = len(HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    if kana > letters * _MAX_KANA_SHARE:
        raise IngestError(f"不是中文文本：假名占 {kana / letters:.0%}，是日文（not Chinese: Japanese kana）")
    hangul = len(_HANGUL.findall(sample))
    if hangul > letters * _MAX_HANGUL_SHARE:
        raise IngestError(f"不是中文文本：韩文字母占 {hangul / letters:.0%}，是韩文（not Chinese: Korean Hangul）")
    if han < letters * _MIN_HAN_SHARE:
        raise IngestError(
            f"不是中文文本：汉字只占文字的 {han / letters:.0%}（not Chinese: {han / letters:.0%} Han characters）"
        )


# Letters are what the shares above are of, and punctuation is none: 30,000 backslashes,
# or lines of —— and ……, were no letters, too few to judge, and became speeches. Of all
# that is not space, the seed pages are at least half Han in every 4,000 characters.
_MIN_HAN_AMONG_CHARACTERS = 0.1


def refuse_without_han_text(sample: str) -> None:
    """No Han character at all (however short the file), or almost none among its
    punctuation and symbols."""
    characters = "".join(sample.split())
    han = len(HAN.findall(characters))
    judged = len(characters) >= _MIN_JUDGED
    if han == 0 or (judged and han < len(characters) * _MIN_HAN_AMONG_CHARACTERS):
        share = han / len(characters) if characters else 0.0
        raise IngestError(
            f"不是中文文本：汉字只占字符的 {share:.0%}（not Chinese: {share:.0%} of the characters are Han）"
        )


_LETTER = re.compile(r"[^\W_]")  # what str.isalnum calls a letter or digit, counted in C
HAN = re.compile("[\u3400-\u9fff]")
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e]")  # syllables and jamo


def hangul_share(text: str) -> float:
    """The share of the sample's letters that are Hangul."""
    sample = visible_sample(text)
    letters = len(_LETTER.findall(sample))
    return len(_HANGUL.findall(sample)) / letters if letters else 0.0
