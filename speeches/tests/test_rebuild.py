"""A full rebuild writes a new index beside the live one and swaps it in at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from haystack import connections

from speeches import indexing
from speeches.models import Speech
from speeches.search import search_speeches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("whoosh_engine")]


def index_folder() -> Path:
    return Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])


def test_a_rebuild_indexes_every_speech_and_leaves_no_build_folders(corpus, fresh_index):
    assert indexing.rebuild_index() == Speech.objects.count()
    assert indexing.indexed_count() == Speech.objects.count()
    folder = index_folder()
    assert not Path(f"{folder}.new").exists() and not Path(f"{folder}.old").exists()
    assert search_speeches("疫情防控").count > 0


def during_the_next_build(monkeypatch, what) -> None:
    """Call what(n) as the rebuild prepares its n-th speech for the new index."""
    backend = connections["default"].get_backend()
    calls = []

    def prepare(index, obj):
        calls.append(obj.pk)
        what(len(calls))
        return type(backend).prepare(backend, index, obj)

    monkeypatch.setattr(backend, "prepare", prepare)


def test_a_failed_rebuild_leaves_the_live_index_as_it_was(corpus, fresh_index, monkeypatch):
    indexing.rebuild_index()
    before = search_speeches("疫情防控").count

    def fail(n):
        if n > 5:
            raise RuntimeError("the database went away")

    during_the_next_build(monkeypatch, fail)
    with pytest.raises(RuntimeError):
        indexing.rebuild_index()
    monkeypatch.undo()
    assert indexing.indexed_count() == Speech.objects.count()
    assert search_speeches("疫情防控").count == before > 0
    assert not Path(f"{index_folder()}.new").exists()


def test_searches_during_a_rebuild_are_answered_from_the_old_index(corpus, fresh_index, monkeypatch):
    indexing.rebuild_index()
    before = search_speeches("疫情防控").count
    seen = []

    def search(n):
        if n == 3:  # while the new index is being written, a researcher searches
            seen.append(search_speeches("疫情防控").count)

    during_the_next_build(monkeypatch, search)
    indexing.rebuild_index()
    assert seen == [before]


def test_an_upload_indexed_just_before_a_rebuild_takes_the_write_lock_is_in_the_new_index(
    corpus, fresh_index, monkeypatch, seed_bytes
):
    from speeches.loading import ingest_bytes
    from speeches.search.engine import engine
    from speeches.search.whoosh.backend import ChineseWhooshSearchBackend as WhooshBackend

    indexing.rebuild_index()
    late = []
    original = WhooshBackend.building

    def building(self):
        # Another process's upload commits and indexes its speeches into the live index
        # after the rebuild began but before it holds the write lock.
        if not late:
            result = ingest_bytes(seed_bytes["002_5507ae1777cd8619.txt"] + "\n（迟到的一页）\n".encode(), "late.txt")
            late.append(result.document_id)
            indexing.index_document(result.document_id)
        return original(self)

    monkeypatch.setattr(WhooshBackend, "building", building)
    indexing.rebuild_index()
    expected = set(Speech.objects.filter(document_id=late[0]).values_list("public_id", flat=True))
    indexed = {entry.public_id for entry in engine().entries().get(late[0], [])}
    assert expected and indexed == expected


@pytest.mark.usefixtures("fresh_index")
def test_an_archive_with_speeches_and_no_index_says_the_index_is_being_updated_not_that_nothing_matches(cast, client):
    # An engine switched to Whoosh before `reindex`, or an index folder lost: every
    # search said 没有找到相符的讲话, as if the archive did not say 安全生产.
    data = client.get("/api/search", {"q": "安全生产"}).json()
    assert data["count"] == 0 and "检索索引正在更新" in data["message"]
    indexing.rebuild_index()
    assert client.get("/api/search", {"q": "安全生产"}).json()["count"] > 0


def test_a_rebuild_that_died_between_its_two_renames_leaves_its_new_index_found_not_an_empty_one(cast, tmp_path):
    from speeches.indexing import indexed_count
    from speeches.tests.conftest import use_index

    previous = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]
    live = tmp_path / "whoosh"
    use_index(live)
    try:
        indexing.rebuild_index()
        entries = indexed_count()
        # Died after the live index went to .old, before .new came in: the first search's
        # setup made an empty live index and answered 0 for everything.
        live.rename(tmp_path / "whoosh.old")
        (tmp_path / "whoosh.old").rename(tmp_path / "whoosh.new")
        use_index(live)
        assert entries and indexed_count() == entries
        assert search_speeches("安全生产").count > 0
    finally:
        use_index(Path(previous))
