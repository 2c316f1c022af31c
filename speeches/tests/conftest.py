"""Shared fixtures: an isolated search index and media folder, and the sample corpus.

The cast: the five seed pages of corpus/seeds, ingested once into the test
database (and re-ingested if a transactional test flushed them).
"""

from __future__ import annotations

import functools
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from haystack import connections

from speeches.models import Document

SEEDS = sorted(Path(settings.SAMPLE_CORPUS_DIR).glob("*.txt"))
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# The engines this database can run (speeches.search.engine): the conformance tests
# run on each, so both keep one contract.
ENGINES = ["whoosh", "postgres"] if ON_POSTGRES else ["whoosh"]


def use_index(path: Path) -> None:
    settings.HAYSTACK_CONNECTIONS["default"]["PATH"] = str(path)
    connections.reload("default")


@pytest.fixture(scope="session", autouse=True)
def isolated_storage(tmp_path_factory):
    """Tests never touch the developer's index or uploads."""
    use_index(tmp_path_factory.mktemp("whoosh"))
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # The commands the tests call run in this process: they must not lower its priority.
    settings.BATCH_NICENESS = 0
    # Admin uploads parse in this process: a child per upload would cost its start-up
    # (≈4 s) in every upload test; test_uploads.py checks the child on its own.
    settings.INGEST_INLINE_IN_CHILD = False


@pytest.fixture
def fresh_index(tmp_path):
    """An empty index of the test's own, for tests that count what gets indexed."""
    previous = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]
    use_index(tmp_path / "whoosh")
    yield
    use_index(Path(previous))


@functools.cache
def _parsed_seed(path: Path):
    """Each seed parsed once per test run: transactional tests (the browser's) load the
    corpus again after every test, and parsing was most of that (≈12 s a test)."""
    from speeches.ingest import parse_document

    return parse_document(path.read_bytes())


def _ensure_corpus() -> None:
    from speeches.indexing import rebuild_index
    from speeches.loading import ingest_bytes

    if Document.objects.ingested().count() == len(SEEDS):
        return
    # Indexed once by the rebuilds below, not also document by document on the way (that
    # doubled the time of every transactional test's set-up).
    with mock.patch("speeches.loading.documents_changed"):
        for path in SEEDS:
            ingest_bytes(path.read_bytes(), path.name, parsed=_parsed_seed(path))
    for name in ENGINES:
        with override_settings(SEARCH_ENGINE=name):
            rebuild_index()


@pytest.fixture(scope="session")
def _session_corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_corpus()


@pytest.fixture(params=ENGINES)
def search_engine(request):
    """Each engine in turn (the conformance tests: same answers on every engine)."""
    with override_settings(SEARCH_ENGINE=request.param):
        yield request.param


@pytest.fixture
def whoosh_engine():
    """Tests of the Whoosh engine's own machinery (its lock, its index folder)."""
    with override_settings(SEARCH_ENGINE="whoosh"):
        yield


@pytest.fixture
def corpus(_session_corpus, db):
    """The five seed pages, ingested and indexed."""
    _ensure_corpus()
    return {path.name: Document.objects.get(original_name=path.name) for path in SEEDS}


@pytest.fixture
def seed_bytes():
    return {path.name: path.read_bytes() for path in SEEDS}


@pytest.fixture
def empty_archive(db):
    """No documents: inside a test transaction the session corpus comes back on rollback."""
    Document.objects.all().delete()
