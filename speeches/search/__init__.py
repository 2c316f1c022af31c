"""Search: the query language (query.py), shared parameters (params.py),
snippets (snippets.py) and the search itself (service.py).

`from speeches.search import parse_query, highlight, search_speeches, kwic` is
the stable surface other modules (speech pages, template tags) rely on.
"""

from .params import SearchParams
from .query import ParsedQuery, parse_query
from .service import EXPORT_LIMIT, FacetValue, Hit, Results, search_speeches
from .snippets import best_paragraph, highlight, kwic

__all__ = [
    "EXPORT_LIMIT",
    "FacetValue",
    "Hit",
    "ParsedQuery",
    "Results",
    "SearchParams",
    "best_paragraph",
    "highlight",
    "kwic",
    "parse_query",
    "search_speeches",
]
