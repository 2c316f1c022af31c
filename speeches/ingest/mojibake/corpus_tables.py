"""Write the seed corpus tables of the character model from the seed pages.

Run by hand when seeds are added:
`python -m speeches.ingest.mojibake.corpus_tables corpus/seeds/*.txt`. It reads the pages
through the pipeline's own first steps (decode.py, markup.py, annotations.py) and keeps
only the stretches that cannot be mojibake, simplified as the model looks text up.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..annotations import strip_pinyin_annotations
from ..decode import decode_bytes
from ..markup import strip_markup
from ..script import to_simplified
from .constants import MIN_CORPUS_COUNT, RUN_SHADOW
from .ngrams import CORPUS_BIGRAMS, CORPUS_TRIGRAMS, count_ngrams


def clean_segments(line: str) -> list[str]:
    """The parts of a line that cannot be mojibake: everything but the stretch after each `?`."""
    segments = []
    start = 0
    for index, ch in enumerate(line):
        if ch in "?\ufffd":
            if index > start:
                segments.append(line[start:index])
            start = max(start, index + RUN_SHADOW)
    if start < len(line):
        segments.append(line[start:])
    return segments


def build_corpus_tables(seed_paths: Iterable[Path], min_count: int = MIN_CORPUS_COUNT) -> int:
    """Write the corpus tables from seed pages: clean segments only (see clean_segments),
    after pinyin stripping and simplification. Returns the number of n-grams written."""
    segments = []
    for path in seed_paths:
        text = strip_markup(decode_bytes(Path(path).read_bytes()).text)[0]
        for line in strip_pinyin_annotations(text)[0].splitlines():
            segments.extend(to_simplified(part.strip()) for part in clean_segments(line))
    written = 0
    for width, out in ((2, CORPUS_BIGRAMS), (3, CORPUS_TRIGRAMS)):
        counts = count_ngrams(segments, width)
        kept = sorted((gram, n) for gram, n in counts.items() if n >= min_count and not gram.isascii())
        out.write_text("".join(f"{gram}\t{n}\n" for gram, n in kept), encoding="utf-8")
        written += len(kept)
    return written


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(build_corpus_tables([Path(p) for p in sys.argv[1:]]), "n-grams written")
