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
- Exact phrases: jieba tokens cannot say "this string occurs contiguously" (会议上
  is 会议 / 上). A second field holds character bigrams at consecutive positions,
  so a phrase is a Whoosh Phrase over its bigrams: exactly a substring test.
- Searching: haystack's search() fetches every hit, highlights with a stemming
  analyzer and has no Whoosh facets. faceted_search() asks for one page, and
  counts facets exactly by intersecting the matched documents with cached
  per-value document sets (IndexView), under the other filters (drill-down).
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import jieba
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import KEYWORD, NUMERIC, TEXT

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


_SPACES = re.compile(r"\s+")


def gram_text(value: str) -> str:
    """The text as the phrase field sees it: folded, whitespace runs as one space."""
    return _SPACES.sub(" ", normalize(value)).strip()


class BigramTokenizer(Tokenizer):
    """Every pair of adjacent characters, one position per character.

    A phrase ABCD is then the bigrams AB BC CD at consecutive positions, which
    is exactly "ABCD occurs as a contiguous string", whatever jieba made of it.
    The last character is paired with a newline so that every character starts
    a bigram and a one-character phrase is a prefix query.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        text = gram_text(value) + "\n"
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i in range(len(text) - 1):
            token.text = text[i : i + 2]
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + i
            if chars:
                token.startchar = start_char + i
                token.endchar = start_char + i + 2
            yield token


def phrase_grams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


# Index fields (see search_indexes.py) that are filtered on exactly, never analysed.
EXACT_FIELDS = {"public_id", "level", "genre", "document"}
KEYWORD_FIELDS = {"topics"}
SORTABLE_FIELDS = {"year", "length"}
# Fields the backend derives from others in _prepare: bigrams for exact phrases,
# and the year as an exact term for facet counting.
GRAM_FIELDS = {"grams": "text", "title_grams": "title"}


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            fieldname = field.index_fieldname
            if fieldname in EXACT_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, WHOOSH_ID(stored=True))
            elif fieldname in KEYWORD_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, KEYWORD(stored=True, commas=True, scorable=False))
            elif fieldname in SORTABLE_FIELDS:
                schema.remove(fieldname)
                schema.add(fieldname, NUMERIC(numtype=int, stored=True, sortable=True))
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
        for fieldname in GRAM_FIELDS:
            schema.add(fieldname, TEXT(analyzer=BigramTokenizer(), stored=False, phrase=True))
        schema.add("year_key", WHOOSH_ID(stored=False))
        return content_field_name, schema

    def _prepare(self, index, obj) -> dict | None:
        try:
            doc = index.full_prepare(obj)
        except SkipDocument:
            return None
        doc = {key: self._from_python(value) for key, value in doc.items() if value is not None}
        doc.pop("boost", None)
        for gram_field, source in GRAM_FIELDS.items():
            doc[gram_field] = doc.get(source, "")
        if doc.get("year"):
            doc["year_key"] = str(doc["year"])
        return doc

    def setup(self):
        # haystack's setup() creates the index when the folder is empty; two processes
        # meeting an empty index at once raced there ("_MAIN_0.toc exists"), so creating
        # it takes the write lock like any other write.
        with index_write_lock(self.path):
            super().setup()

    @contextmanager
    def writer(self, **options):
        """One Whoosh writer at a time across threads and processes, waiting a bounded time.
        `options` go to Whoosh (procs=2 for a bulk build on both cores)."""
        if not self.setup_complete:
            self.setup()
        with index_write_lock(self.path):
            self.index = self.index.refresh()
            # Non-compound segments: STACK-NOTES measured compound files being
            # copied into memory on every open as much of haystack's slowness.
            writer = self.index.writer(compound=False, **options)
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


    # --- searching -----------------------------------------------------------
    # haystack's own search() fetches and highlights every hit with a stemming
    # analyzer and has no facets for Whoosh; this path asks Whoosh for one page
    # of scored hits and counts facets by set intersection over the matches.

    def view(self) -> IndexView:
        """This thread's open searcher, reopened only when the index changed."""
        if not self.setup_complete:
            self.setup()
        current = getattr(self, "_view", None)
        generation = self.index.latest_generation()
        if current is None or current.generation != generation:
            if current is not None:
                current.close()
            self.index = self.index.refresh()
            self._view = current = IndexView(self.index.searcher(), generation)
        return current

    def faceted_search(self, tree, filters: dict[str, set[str]], facet_fields: tuple[str, ...],
                       sort: str = "", offset: int = 0, limit: int = 20) -> FacetedResults:
        """One page of canonical speeches matching `tree` and every filter, with the
        total and, per facet field, exact counts under all the *other* filters."""
        view = self.view()
        base = view.canonical() if tree is None else view.canonical() & view.matching(compile_query(tree))
        narrowed = {name: view.union(name, values) for name, values in filters.items() if values}
        matches = base.intersection(*narrowed.values()) if narrowed else base
        facets = {}
        for name in facet_fields:
            others = [docs for other, docs in narrowed.items() if other != name]
            pool = base.intersection(*others) if others else base
            facets[name] = view.counts(name, pool)
        hits = view.page(tree, matches, sort, offset, limit) if matches else []
        return FacetedResults(len(matches), hits, facets)


@dataclass
class FacetedResults:
    count: int
    hits: list[tuple[int, float]]  # (django_id, score)
    facets: dict[str, dict[str, int]]


# sort name -> (column, newest/longest first)
SORTS = {"year": ("year", True), "year_asc": ("year", False), "length": ("length", True),
         "length_asc": ("length", False)}


class IndexView:
    """An open searcher plus, per facet field, the set of documents holding each
    value. Both stay valid until the index changes (a new generation)."""

    def __init__(self, searcher, generation: int):
        self.searcher = searcher
        self.generation = generation
        self._sets: dict[str, dict[str, frozenset[int]]] = {}
        self._canonical: frozenset[int] | None = None

    def close(self) -> None:
        self.searcher.close()

    def matching(self, query) -> set[int]:
        return set(self.searcher.docs_for_query(query))

    def canonical(self) -> frozenset[int]:
        if self._canonical is None:
            self._canonical = frozenset(self.searcher.docs_for_query(wq.Term("canonical", "true")))
        return self._canonical

    def value_sets(self, fieldname: str) -> dict[str, frozenset[int]]:
        if fieldname not in self._sets:
            reader, sets = self.searcher.reader(), {}
            if fieldname in self.searcher.schema.names():
                for term in reader.lexicon(fieldname):
                    value = term.decode("utf-8")
                    if value:
                        sets[value] = frozenset(self.searcher.docs_for_query(wq.Term(fieldname, value)))
            self._sets[fieldname] = sets
        return self._sets[fieldname]

    def union(self, fieldname: str, values: set[str]) -> frozenset[int]:
        sets = self.value_sets(fieldname)
        return frozenset().union(*(sets.get(v, frozenset()) for v in values))

    def counts(self, fieldname: str, pool) -> dict[str, int]:
        counts = {value: len(docs & pool) for value, docs in self.value_sets(fieldname).items()}
        return {value: n for value, n in counts.items() if n}

    def ranking_query(self, tree, matches):
        """The scoring form of the query when it reaches every matched document
        (it does unless a phrase sits inside a longer jieba word); else the query itself."""
        exact, scoring = compile_query(tree), compile_query(tree, scoring=True)
        if scoring != exact and matches <= self.matching(scoring):
            return scoring
        return exact

    def page(self, tree, matches, sort: str, offset: int, limit: int) -> list[tuple[int, float]]:
        query = wq.Every() if tree is None else self.ranking_query(tree, matches)
        options = {}
        if sort in SORTS:
            column, reverse = SORTS[sort]
            options = {"sortedby": column, "reverse": reverse}
        elif tree is None:
            options = {"sortedby": "year", "reverse": True}  # nothing to rank by
        results = self.searcher.search(query, filter=set(matches), limit=offset + limit, **options)
        hits = []
        for i in range(offset, min(len(results.top_n), offset + limit)):
            fields = results.fields(i)
            hits.append((int(fields["django_id"]), results.score(i) or 0.0))
        return hits


def compile_query(node, scoring: bool = False):
    """The engine-neutral tree of speeches.search.query as a Whoosh query.

    scoring=True gives the query that ranks a page of already-matched documents:
    phrases become their words (the bigram positions were checked once, when
    matching) and exclusions are dropped (the matched set has none).
    """
    from .search import query as q

    if isinstance(node, q.Word):
        return _all_of([wq.Term(node.field, piece) for piece in node.pieces])
    if isinstance(node, q.Phrase):
        if scoring:
            pieces = [p for p, _, _ in query_words(node.text) if not _NOT_A_TERM.match(p) and p.strip()]
            return _all_of([wq.Term(node.field, p) for p in pieces]) if pieces else wq.Every()
        return _phrase(node.text, "title_grams" if node.field == "title" else "grams")
    if isinstance(node, q.Any):
        return wq.Or([compile_query(child, scoring) for child in node.children])
    if isinstance(node, q.Not):
        return wq.Every() if scoring else wq.Not(compile_query(node.child))
    positive = [compile_query(c, scoring) for c in node.children if not isinstance(c, q.Not)]
    negative = [compile_query(c.child) for c in node.children if isinstance(c, q.Not)]
    query = _all_of(positive) if positive else wq.Every()
    return wq.AndNot(query, wq.Or(negative)) if negative and not scoring else query


def _all_of(queries):
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _phrase(text: str, fieldname: str):
    grams = phrase_grams(text)
    if not grams:
        # One character: every occurrence starts a bigram (see BigramTokenizer).
        return wq.Prefix(fieldname, text)
    if len(grams) == 1:
        return wq.Term(fieldname, grams[0])
    return wq.Phrase(fieldname, grams)


class ChineseWhooshEngine(BaseEngine):
    backend = ChineseWhooshSearchBackend
    query = WhooshSearchQuery


def warm_up() -> None:
    """Load jieba's dictionary and OpenCC once at server start, not in the first request."""
    _tokenizer()
    normalize("預熱")
