"""What a search engine does for this archive: the one contract every engine keeps.

Views, the API, exports, trends and the possible matches in damaged text reach an
engine only through `engine()` and these types (speeches.search.service builds
the queries); nothing outside an engine's package knows which engine runs.

An engine
- is told, inside the transaction that changes or removes a source document's
  speeches, which documents changed (`documents_changed`): an engine in the
  database (postgres) writes its rows in that transaction; an engine beside it
  (whoosh) updates its index after the commit;
- indexes and removes the speeches of one source document on request
  (`index_document`, `remove_document`: `manage.py check_index --fix`);
- answers a `Query`: the query tree of speeches.search.query (a Term is a string
  of the folded text, speeches.search.analysis) and filters in, an `Answer` out:
  the exact total, one ranked page of speech ids, and exact facet counts, each
  facet counted under the *other* filters (drill-down);
- treats a speech as its text and the texts of its copies (Speech.duplicate_of):
  a term that only an edited copy holds finds the speech it copies; only
  canonical speeches are answered;
- ranks by relevance as the help page (templates/speeches/search_help.html) says:
  terms in the title first, then BM25 over the terms' string occurrences, a
  whole-word occurrence counting twice, then for several terms how close they
  stand;
- rebuilds beside the live index (`rebuild`: searches keep working meanwhile) and
  lists what it holds (`entries`: per speech its title and what its entry was made
  from, analysis.source_digest, and whether the entry is whole) for
  speeches.index_check to compare with the database;
- records the format of the code that built it (analysis.index_format: the fold, the
  words, the engine's entries) and says when its entries were written by other code
  (`format_problem`, for `manage.py check_index`), which only `manage.py reindex` mends;
- loads what every search reads when a web worker starts (`warm_up`, from
  archive/wsgi.py), so that its first search is not the slow one; it never raises.

Matched positions for snippets: a term is a string of gram_text, the same for every
engine, so speeches.search.snippets finds where a hit's terms stand in its text;
no engine returns offsets of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import NamedTuple, Protocol

from django.conf import settings

# URL parameter names of the filters and facets an engine answers.
FACETS = ("topic", "year", "document", "level", "genre", "office", "place", "occasion")
# Sort orders besides relevance: (speech column, descending). Their labels are
# speeches.search.params.SORTS. "pk" is the speech's primary key: rows are numbered in
# the order they are stored, so the newest arrivals come first (the Atom feed's order).
SORT_COLUMNS = {
    "newest": ("pk", True),
    "year": ("year", True),
    "year_asc": ("year", False),
    "length": ("length", True),
    "length_asc": ("length", False),
}
ENGINES = {"whoosh": "speeches.search.whoosh.WhooshEngine", "postgres": "speeches.search.postgres.PostgresEngine"}


@dataclass(frozen=True)
class Query:
    tree: object | None  # speeches.search.query's tree; None browses the filters
    filters: dict[str, frozenset[str]] = field(default_factory=dict)  # facet name -> allowed values
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20


@dataclass
class Answer:
    count: int
    hits: list[tuple[int, float]]  # (Speech pk, score), best first
    facets: dict[str, dict[str, int]]  # facet name -> value -> speeches


class Entry(NamedTuple):
    """What an engine holds of one speech, for speeches.index_check."""

    public_id: str
    title: str  # the searched title as the entry holds it
    source: str  # analysis.source_digest of the title and text it was made from; "" if unknown
    complete: bool = True  # False: some of its parts are missing (the postgres engine's rows)


class SearchEngine(Protocol):
    name: str

    def documents_changed(self, document_ids: set[int]) -> None: ...

    def index_document(self, document_id: int) -> int: ...

    def remove_document(self, document_id: int) -> None: ...

    def answer(self, query: Query) -> Answer: ...

    def rebuild(self) -> int: ...

    def entries(self) -> dict[int, list[Entry]]: ...

    def indexed_count(self) -> int: ...

    def forget_cached_results(self) -> None: ...

    def warm_up(self) -> None: ...

    def describe(self) -> str: ...

    def format_problem(self) -> str: ...


_engines: dict[str, SearchEngine] = {}


def engine() -> SearchEngine:
    """The engine settings.SEARCH_ENGINE names (one instance per process)."""
    name = settings.SEARCH_ENGINE
    if name not in _engines:
        module, _, cls = ENGINES[name].rpartition(".")
        _engines[name] = getattr(import_module(module), cls)()
    return _engines[name]
