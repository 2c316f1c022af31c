"""The PostgreSQL engine's ranking counts occurrences from its rows' tsvectors
(speeches/search/postgres/rows.py): every start of a term past a chunk's lead, as the
Whoosh engine counts them, and every whole jieba word."""

from __future__ import annotations

import jieba
import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from speeches.search.analysis import gram_text, is_term
from speeches.search.postgres.rows import CHUNK, _row, chunks, lexeme, speech_rows, tsquery
from speeches.search.relevance import starts
from speeches.tests.conftest import ON_POSTGRES

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db,
]

# Few characters, so that terms repeat and overlap themselves (哈哈 in 哈哈哈).
TEXTS = st.lists(st.text(alphabet="哈安全生产工作发展。 ", min_size=1, max_size=40), min_size=1, max_size=60).map(
    "".join
)


def distinct(n: int) -> str:
    """n characters, no bigram twice."""
    return "".join(chr(0x4E00 + i) for i in range(n))


def counted(rows, term: str) -> tuple[int, int]:
    """(string starts, whole words) as the engine's SQL counts them (sql._frequencies)."""
    strings = words = 0
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(
                "SELECT ts_rank_cd('{1,1,1,1}', %s::tsvector, %s::tsquery, 0)"
                " - ts_rank_cd('{1,0,0,0}', %s::tsvector, %s::tsquery, 0),"
                " ts_rank_cd('{1,1,1,1}', %s::tsvector, %s::tsquery, 0)",
                [row.grams, tsquery(term), row.grams, tsquery(term), row.words, lexeme(term)],
            )
            found_strings, found_words = cursor.fetchone()
            strings, words = strings + round(found_strings), words + round(found_words)
    return strings, words


@settings(max_examples=40, deadline=None)
@given(text=TEXTS, size=st.integers(20, 400), data=st.data())
def test_the_counts_ranking_reads_from_the_tsvectors_are_every_start_and_every_whole_word(text, size, data):
    folded = gram_text(text)
    if len(folded) < 4:
        return
    start = data.draw(st.integers(0, len(folded) - 4))
    term = folded[start : start + data.draw(st.integers(2, 4))]
    if term != term.strip():
        return
    # Small chunks (the engine's are CHUNK characters), so that occurrences fall in leads.
    rows = [_row(part, lead, chunk) for part, (lead, chunk) in enumerate(chunks(folded, size), start=1)]
    # jieba's accurate mode: a term inside a longer word (安全 in 网络安全) is no whole word.
    whole = sum(word == term for row in rows for word in jieba.lcut(row.body[row.lead :]) if is_term(word))
    assert counted(rows, term) == (len(starts(folded, term)), whole)


def test_an_occurrence_across_two_chunks_is_counted_once():
    # 安全生产 across the first chunk's end; 工作会议 wholly in the second chunk's lead.
    text = "发展" * 10 + distinct(CHUNK - 121) + "工作会议" + distinct(96) + "安全生产" + distinct(100)
    rows = [row for row in speech_rows("", text) if row.part > 0]
    assert len(rows) == 2 and "工作会议" in rows[1].body[: rows[1].lead]
    assert counted(rows, "安全生产")[0] == 1
    assert counted(rows, "工作会议")[0] == 1
    assert counted(rows, "发展")[0] == 10
