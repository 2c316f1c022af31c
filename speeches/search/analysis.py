"""How text and queries are folded, the same for every engine.

- Traditional and simplified forms are different strings (講話 vs 讲话), so text and
  queries are folded to simplified with OpenCC, full-width signs to ASCII and Latin
  letters to lower case (normalize). The fold is character by character, never by
  phrase: a term must fold as it folds inside the text around it (OpenCC's phrase
  table keeps 乾 in 乾坤 but makes a lone 乾 干, so 乾 would miss 乾坤), and one
  character to one keeps positions, so snippets mark the source text where the
  folded text matched.
- A term is matched as a string of the folded text with whitespace runs as one
  space (gram_text): engines index that text's character bigrams with positions,
  so a term is its bigrams at consecutive positions, whatever jieba made of it.
- jieba's words (whole_words, accurate mode) serve ranking only: a term that is a
  whole word of the text ranks above one inside a longer word (发展 as a word above
  开发展示, 安全 alone above 安全 in 网络安全).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import jieba
import numpy as np

from ..ingest.script import simplify_chars
from ..ingest.segmenter import default_segmenter, initialized_tokenizer
from ..ingest.version import code_digest, installed_version

NOT_A_TERM = re.compile(r"^[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")
jieba.setLogLevel(logging.WARNING)


def is_term(word: str) -> bool:
    """Whether a token is indexed and searched: not empty, not only punctuation or spaces."""
    return bool(word) and not NOT_A_TERM.match(word)


# The canonical text writes 着 where traditional text writes 著 for the particle and
# keeps 著 where it is read zhù (ingest/script.py zhe_for_zhu), but the fold goes
# character by character: folding 著 to 着 in text and queries alike, 隨著 finds 随着
# and 著名 still finds 著名. Likewise 帐 and 账: the canonical text writes 账 for accounts
# (ingest/script.py zhang_for_accounts) and 帐 for curtains, and texts simplified
# elsewhere write 帐 for both: 台帐 finds 台账, and 帐篷 still finds 帐篷.
_SEARCH_ONLY = {"著": "着", "帐": "账"}


class _Fold(dict):
    """str.translate's table, filled with each character the first time it is seen."""

    def __missing__(self, code: int) -> str:
        simplified = simplify_chars(chr(code))
        simplified = _SEARCH_ONLY.get(simplified, simplified)
        lowered = simplified.lower()
        folded = self[code] = lowered if len(lowered) == 1 else simplified
        return folded


_FOLD = _Fold()

# The fold of each character of the Basic Multilingual Plane as an array, for texts:
# str.translate looks each character up in _FOLD (about 50 ns a character; a page of
# hits folds 20 speeches' texts for its snippets), and one numpy lookup of the text's
# code points is a sixteenth of that. A character's entry is filled from _FOLD the
# first time a text holds it (_KNOWN); one whose fold is not a single character would
# keep the text on str.translate (_TRANSLATED; none is, today).
_BMP = 0x10000
_FOLDED = np.arange(_BMP, dtype=np.uint32)
_KNOWN = np.zeros(_BMP, dtype=bool)
_TRANSLATED = np.zeros(_BMP, dtype=bool)
# Shorter texts (terms, titles) fold faster through str.translate.
_FOLD_BY_ARRAY_FROM = 64


def normalize(text: str) -> str:
    """Fold script, width and case so that 講話, 讲话 and their mixes are one string,
    one character for one."""
    if len(text) < _FOLD_BY_ARRAY_FROM:
        return text.translate(_FOLD)
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    if codes.max() >= _BMP:
        return text.translate(_FOLD)
    unknown = codes[~_KNOWN[codes]]
    if unknown.size:
        for code in np.unique(unknown).tolist():
            folded = _FOLD[code]
            if len(folded) == 1:  # 803 characters of the plane fold beyond it (㑮 → 𫝈)
                _FOLDED[code] = ord(folded)
            else:
                _TRANSLATED[code] = True
            _KNOWN[code] = True  # after its entry: a thread that sees it known reads it filled
    if _TRANSLATED[codes].any():
        return text.translate(_FOLD)
    return _FOLDED[codes].tobytes().decode("utf-32-le")


def gram_text(value: str) -> str:
    """The text as a term is matched against: folded, whitespace runs as one space."""
    return _SPACES.sub(" ", normalize(value)).strip()


def phrase_grams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def index_words(text: str) -> list[tuple[str, int, int]]:
    """whole_words with their offsets: (word, start, end)."""
    found, start = [], 0
    for word in whole_words(text):
        found.append((word, start, start + len(word)))
        start += len(word)
    return found


def whole_words(text: str) -> list[str]:
    """jieba's words in accurate mode, each once (网络安全, not also 网络 and 安全): what the
    indexes count, so that a term counts as a whole word only where it stands as one
    (安全 in 网络安全 is inside a longer word, as 发展 is in 开发展示)."""
    return default_segmenter().whole_words(text)


def source_digest(title: str, text: str) -> str:
    """What an index entry was made from: the MD5 of the searched title and the text as
    the text field joins them (`title\ntext`, UTF-8), in hex. Every engine records it
    with a speech's entries and `manage.py check_index` compares it with the database's
    (speeches.index_check, by SQL's md5(), which Django also gives SQLite), so a text
    changed behind the loader's back shows as stale. A change, not an attack, is what
    it must see: MD5 is enough."""
    return hashlib.md5(f"{title}\n{text}".encode()).hexdigest()


# What every engine's entries are made by: this module's fold and words, the
# canonical script's fold (ingest/script.py) and jieba (ingest/segmenter.py).
_FORMAT_MODULES = ("search/analysis.py", "ingest/script.py", "ingest/segmenter.py")
_FORMAT_LIBRARIES = ("jieba", "rjieba", "OpenCC", "zhconv")


def index_format(*engine_modules: str, libraries: tuple[str, ...] = ()) -> str:
    """A hash of the code and libraries that decide what an index holds, recorded by
    the index when it is built: entries written by other code (the word counts
    changed from jieba's search mode to its accurate mode once) are found by
    `manage.py check_index`, which asks for `manage.py reindex`. Paths are relative
    to the speeches package; as for the pipeline's version (ingest/version.py),
    comments and docstrings do not count."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for module in (*_FORMAT_MODULES, *engine_modules):
        digest.update(f"\0code {module}\0".encode())
        digest.update(code_digest((package / module).read_text(encoding="utf-8")).encode())
    for name in (*_FORMAT_LIBRARIES, *libraries):
        digest.update(f"\0library {name} {installed_version(name)}\0".encode())
    return digest.hexdigest()[:16]


def format_problem(recorded: str, current: str, what: str) -> str:
    """What check_index says of an index whose recorded format (analysis.index_format) is
    not this code's; `what` names the index ("the index", "the search rows")."""
    if not recorded:
        return f"{what} were written before their format was recorded: run `manage.py reindex`"
    return f"{what} were written by other code (format {recorded}; this code's is {current}): run `manage.py reindex`"


def warm_up_analysis(indexing: bool = False) -> None:
    """Load OpenCC, which every query needs; with `indexing`, also jieba's dictionary
    and the index segmenter's tables, before index workers are forked. A process that
    only searches never segments (a term is a string, and whole-word counts are read
    from the index): jieba's dictionary alone is ~60 MB in every web worker, loaded on
    the first upload a worker indexes instead."""
    normalize("預熱")
    if indexing:
        initialized_tokenizer()
        default_segmenter()
