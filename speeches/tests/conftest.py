"""Shared fixtures: an isolated search index and media folder, and the two archives
the tests read.

- `cast`: the small hand-made cast of speeches/tests/cast.py, for the tests of the
  views, the API and search;
- `corpus`: the five seed pages of corpus/seeds as the pipeline parses them, for the
  tests whose subject is the seeds (golden counts, ingest, re-ingest, rebuilds).

Either is loaded into the test database before a module's first test that reads it
(and again if a transactional test flushed it).
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from haystack import connections

from speeches.models import Document, Speech
from speeches.tests import cast as cast_module

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
    # Whoosh's writers pool postings in <temp dir>/MAIN.tmp, and the first to finish
    # removes that folder: with the machine's temp dir, parallel test processes (and
    # other runs on the machine) broke each other's writers at random.
    tempfile.tempdir = str(tmp_path_factory.mktemp("tmp"))


@pytest.fixture(autouse=True)
def _years_forgotten():
    """The archive's years (models.years_held) kept by one test's data are not another's:
    the cache outlives the rollback of a test's database."""
    from django.core.cache import cache

    from speeches.models import YEARS_HELD

    cache.delete(YEARS_HELD)
    cache.delete_many([f"signups:{address}" for address in ("127.0.0.1", None)])
    yield
    cache.delete(YEARS_HELD)


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


def _holds(sha256s: frozenset[str]) -> bool:
    """The archive is exactly these documents, all ingested (the cast or the seeds)."""
    shas = set(Document.objects.values_list("sha256", flat=True))
    return shas == sha256s and Document.objects.ingested().count() == len(sha256s)


def _load(pages) -> None:
    """Replace the archive with these (raw bytes, name, parsed) pages, stored through the
    loader and indexed by every engine the database runs, as production does."""
    from speeches.indexing import rebuild_index
    from speeches.loading import ingest_bytes

    Document.objects.all().delete()
    # Indexed once by the rebuilds below, not also document by document on the way (that
    # doubled the time of every transactional test's set-up).
    with mock.patch("speeches.loading.documents_changed"):
        for raw, name, parsed in pages:
            ingest_bytes(raw, name, parsed=parsed)
    for name in ENGINES:
        with override_settings(SEARCH_ENGINE=name):
            rebuild_index()


@functools.cache
def _seed_sha256s() -> frozenset[str]:
    return frozenset(hashlib.sha256(path.read_bytes()).hexdigest() for path in SEEDS)


def _ensure_corpus() -> None:
    if not _holds(_seed_sha256s()):
        _load((path.read_bytes(), path.name, _parsed_seed(path)) for path in SEEDS)


@functools.cache
def _cast_pages():
    return tuple(
        (cast_module.raw_bytes(page), page.name, cast_module.parsed_document(page)) for page in cast_module.PAGES
    )


def _ensure_cast() -> None:
    pages = _cast_pages()
    if not _holds(frozenset(parsed.sha256 for _, _, parsed in pages)):
        _load(pages)


# The archive a module's tests read is loaded (and committed) once per module, before the
# first test's transaction opens. Loading the seeds costs ≈7 s (the cast ≈0.3 s), so the
# tests on the seeds run last (pytest_collection_modifyitems): a process switches once.
# The fixtures check again in each test: a transactional test (the browser's) flushes the
# database.
@pytest.fixture(scope="module")
def _module_corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_corpus()


@pytest.fixture(scope="module")
def _module_cast(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_cast()


def pytest_collection_modifyitems(items):
    """The tests on the seed corpus run after all the others, in their own order."""
    items.sort(key=lambda item: "corpus" in getattr(item, "fixturenames", ()))


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
def corpus(_module_corpus, db):
    """The five seed pages, ingested and indexed: for tests whose subject is the seeds."""
    _ensure_corpus()
    return {path.name: Document.objects.get(original_name=path.name) for path in SEEDS}


class Cast:
    """The hand-made archive of speeches/tests/cast.py: `cast["yushan"]` is that speech's
    row, `cast.documents["city.txt"]` that page's document."""

    def __init__(self):
        self.documents = {page.name: Document.objects.get(original_name=page.name) for page in cast_module.PAGES}

    def __getitem__(self, key: str) -> Speech:
        page, ordinal = cast_module.ROLES[key]
        return Speech.objects.get(document=self.documents[page.name], ordinal=ordinal)

    def ids(self, *keys: str) -> set[str]:
        """The public ids of these speeches."""
        return {self[key].public_id for key in keys}


@pytest.fixture
def cast(_module_cast, db) -> Cast:
    """The cast (speeches/tests/cast.py), stored and indexed: for the tests of the views, the API and search."""
    _ensure_cast()
    return Cast()


@pytest.fixture
def seed_bytes():
    return {path.name: path.read_bytes() for path in SEEDS}


@pytest.fixture
def empty_archive(db):
    """No documents: inside a test transaction the session corpus comes back on rollback."""
    Document.objects.all().delete()


@pytest.fixture
def fail_storing(monkeypatch):
    """Call it, and the next speech but one the loader writes raises a database error
    (a deadlock, as PostgreSQL reports one): a failure after parsing, with a speech of
    the document already written in the transaction. Later speeches are written again."""
    from django.db import OperationalError

    from speeches import loading

    def start() -> None:
        create, calls = loading._create_speech, []

        def create_then_fail(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise OperationalError("deadlock detected (simulated)")
            return create(*args, **kwargs)

        monkeypatch.setattr(loading, "_create_speech", create_then_fail)

    return start
