"""A web worker loads what every search reads before its first request (archive/wsgi.py
calls the engine's warm_up): at 100,000 speeches a Whoosh worker's first search spent
0.5-0.9 s reading facet values."""

from __future__ import annotations

import logging

import pytest
from haystack import connections

from speeches.locks import IndexBusy
from speeches.search import search_speeches
from speeches.search.engine import FACETS, engine
from speeches.search.whoosh.view import FACET_FIELDS

pytestmark = [pytest.mark.usefixtures("whoosh_engine"), pytest.mark.django_db]


def test_warming_up_reads_every_facets_values_before_the_first_search(cast):
    backend = connections["default"].get_backend()
    backend.view().close()
    backend._view = None  # as in a worker that has not searched yet
    engine().warm_up()
    view = backend.view()
    assert set(view._pairs) == {FACET_FIELDS[name] for name in FACETS}
    assert search_speeches("疫情防控").count == 4  # the cast's four speeches of 疫情防控
    assert backend.view() is view  # the first search used what was warmed up


def test_a_busy_index_is_left_to_the_first_search_and_the_worker_starts(cast, monkeypatch, caplog):
    whoosh = engine()

    def busy(query):
        raise IndexBusy("the search index is being replaced")

    monkeypatch.setattr(whoosh, "answer", busy)
    with caplog.at_level(logging.WARNING):
        whoosh.warm_up()
    assert "not warmed up" in caplog.text and "being replaced" in caplog.text
