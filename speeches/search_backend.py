"""haystack's Whoosh backend, taught Chinese. Configured in settings.HAYSTACK_CONNECTIONS.

Why a subclass (never a patch of site-packages):
- haystack gives every text field a StemmingAnalyzer, which treats a run of Han
  characters as one token: 疫情防控工作 would only match itself. We analyse with jieba.
- Traditional and simplified forms are different terms (講話 vs 讲话), so the
  analyzer folds both text and queries to simplified with OpenCC.
- haystack stores and makes sortable every text field; a stored full text doubles
  the index and a sortable one builds a column of it. Texts live in the database.
- Writers: a second Whoosh writer raises LockError at once and haystack's
  AsyncWriter may retry forever in a thread. We take one cross-process file lock
  and wait a bounded time for it (speeches.indexing_lock).
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from functools import lru_cache

import jieba
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import KEYWORD, TEXT

from .ingest.script import to_simplified
from .locks import index_write_lock

# Tokens made only of punctuation, symbols or spaces are not searchable terms.
_NOT_A_TERM = re.compile(r"^[\W_]+$", re.UNICODE)
_jieba_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)


def normalize(text: str) -> str:
    """Fold script and case so that 講話, 讲话 and their mixes are one term."""
    return to_simplified(text).lower()


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    # jieba's default tokenizer initialises lazily and is not safe to initialise
    # from two threads at once (the live-server tests and the dev server do).
    with _jieba_lock:
        jieba.dt.initialize()
    return jieba.dt


def query_words(text: str) -> list[tuple[str, int, int]]:
    """Words for a query: the finest dictionary pieces of each word.

    The index holds jieba's search-mode tokens (the word and its dictionary
    sub-words), so a query for 疫情防控 asks for 疫情 and 防控 and also finds text
    that jieba segmented as 疫情 / 防控.
    """
    dt = _tokenizer()
    out = []
    for word, start, end in dt.tokenize(text):
        pieces = [
            (word[i : i + 2], start + i, start + i + 2)
            for i in range(len(word) - 1)
            if len(word) > 2 and dt.FREQ.get(word[i : i + 2])
        ]
        covered = set()
        for _, s, e in pieces:
            covered.update(range(s, e))
        if pieces and covered == set(range(start, end)):
            out.extend(pieces)
        else:
            out.append((word, start, end))
    return out


def index_words(text: str) -> list[tuple[str, int, int]]:
    return list(_tokenizer().tokenize(text, mode="search"))


class ChineseTokenizer(Tokenizer):
    """jieba tokens with sequential positions (jieba's own analyzer gives character
    offsets as positions, which STACK-NOTES found breaks Whoosh's phrase matcher)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        text = normalize(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        words = query_words(text) if mode == "query" else index_words(text)
        pos = start_pos
        for word, start, end in words:
            if not word.strip() or _NOT_A_TERM.match(word):
                continue
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def ChineseAnalyzer():
    return ChineseTokenizer()


# Index fields (see search_indexes.py) that are filtered on exactly, never analysed.
EXACT_FIELDS = {"public_id", "level", "genre", "document"}
KEYWORD_FIELDS = {"topics"}


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for name, field in fields.items():
            fieldname = field.index_fieldname
            if fieldname in EXACT_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, WHOOSH_ID(stored=True))
            elif fieldname in KEYWORD_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, KEYWORD(stored=True, commas=True, scorable=False))
            elif field.field_type == "string":
                schema.remove(fieldname)
                schema.add(
                    fieldname,
                    TEXT(
                        analyzer=ChineseAnalyzer(),
                        stored=fieldname != content_field_name,
                        phrase=False,
                        field_boost=field.boost,
                    ),
                )
        return content_field_name, schema

    def _prepare(self, index, obj) -> dict | None:
        try:
            doc = index.full_prepare(obj)
        except SkipDocument:
            return None
        doc = {key: self._from_python(value) for key, value in doc.items()}
        doc.pop("boost", None)
        return doc

    @contextmanager
    def writer(self):
        """One Whoosh writer at a time across threads and processes, waiting a bounded time."""
        if not self.setup_complete:
            self.setup()
        with index_write_lock(self.path):
            self.index = self.index.refresh()
            # Non-compound segments: STACK-NOTES measured compound files being
            # copied into memory on every open as much of haystack's slowness.
            writer = self.index.writer(compound=False)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            else:
                writer.commit()

    def update(self, index, iterable, commit=True):
        docs = [doc for doc in (self._prepare(index, obj) for obj in iterable) if doc]
        if not docs:
            # haystack issue #680: committing an empty batch can leave the lock held.
            return
        with self.writer() as writer:
            for doc in docs:
                writer.update_document(**doc)

    def remove(self, obj_or_string, commit=True):
        identifier = get_identifier(obj_or_string)
        with self.writer() as writer:
            writer.delete_by_term(ID, identifier)

    def replace_document(self, index, document_id, objects):
        """Swap all entries of one source document in one commit, so searchers never
        see it half-updated and entries of speeches a re-ingest dropped go too."""
        docs = [doc for doc in (self._prepare(index, obj) for obj in objects) if doc]
        with self.writer() as writer:
            writer.delete_by_term("document", str(document_id))
            for doc in docs:
                writer.add_document(**doc)

    def clear(self, models=None, commit=True):
        if not self.setup_complete:
            self.setup()
        with index_write_lock(self.path):
            self.delete_index()
            self.setup()


class ChineseWhooshEngine(BaseEngine):
    backend = ChineseWhooshSearchBackend
    query = WhooshSearchQuery


def warm_up() -> None:
    """Load jieba's dictionary and OpenCC once at server start, not in the first request."""
    _tokenizer()
    normalize("預熱")
