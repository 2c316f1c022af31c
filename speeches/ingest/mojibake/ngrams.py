"""Character n-gram counts: counting them in text, and the tables kept on disk.

The seed tables (`speeches/ingest/data/corpus_bigrams.tsv` and `corpus_trigrams.tsv`,
one "n-gram<TAB>count" a line) are written by corpus_tables.py and read by
language_model.py; news_corpus.py counts the People's Daily the same way. Kept apart
from all three so that none of them imports another to count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

DATA_DIR = Path(__file__).parents[1] / "data"
CORPUS_BIGRAMS = DATA_DIR / "corpus_bigrams.tsv"
CORPUS_TRIGRAMS = DATA_DIR / "corpus_trigrams.tsv"


def count_ngrams(lines: Iterable[str], width: int) -> Counter:
    counts: Counter = Counter()
    for line in lines:
        for i in range(width, len(line) + 1):
            counts[line[i - width : i]] += 1
    return counts


def read_counts(path: Path, width: int) -> dict[str, int]:
    """A table written by corpus_tables.py; empty when the file is missing."""
    counts: dict[str, int] = {}
    if path.exists():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                gram, _, count = line.rstrip("\n").partition("\t")
                if len(gram) == width and count.isdigit():
                    counts[gram] = int(count)
    return counts
