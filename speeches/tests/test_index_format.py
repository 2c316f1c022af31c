"""An index records the format of the code that built it (speeches.search.analysis.index_format),
and `manage.py check_index` asks for `manage.py reindex` when its entries were written by
other code: the same speeches, folded or counted otherwise, which no comparison of ids
and titles with the database can see."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from haystack import connections

from speeches.loading import ingest_bytes, remove_document
from speeches.models import Document, Speech
from speeches.search.engine import engine
from speeches.search.whoosh.backend import FORMAT_FILE
from speeches.tests.cast import CITY, parsed_document, raw_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine", "empty_archive", "fresh_index")]

OTHER_CODE = "0123456789abcdef"


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """The cast's city.txt, stored and indexed as an upload is, into an empty index."""
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    assert engine().indexed_count() == 4


@pytest.fixture
def other_code(monkeypatch):
    """This code's format as other code's would be (a changed fold, other word counts)."""
    monkeypatch.setattr("speeches.search.whoosh.backend.whoosh_format", lambda: OTHER_CODE)
    monkeypatch.setattr("speeches.search.postgres.postgres_format", lambda: OTHER_CODE)


def forget_the_format(name: str) -> None:
    """As an index built before formats were recorded."""
    if name == "whoosh":
        (Path(connections["default"].get_backend().path) / FORMAT_FILE).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("COMMENT ON TABLE speeches_searchrow IS NULL")


def check_index(*args) -> str:
    out = StringIO()
    call_command("check_index", *args, stdout=out)
    return out.getvalue()


def test_an_empty_index_and_one_written_by_this_code_have_no_format_problem(django_capture_on_commit_callbacks):
    assert engine().format_problem() == ""
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    assert engine().format_problem() == ""
    assert "agrees" in check_index()


def test_entries_written_by_other_code_make_check_index_fail_naming_reindex(indexed, other_code):
    assert "this code's is 0123456789abcdef" in engine().format_problem()
    assert "run `manage.py reindex`" in engine().format_problem()
    with pytest.raises(CommandError, match=r"manage\.py reindex"):
        check_index()
    # --fix re-indexes disagreeing documents only: it cannot mend a format.
    with pytest.raises(CommandError, match=r"manage\.py reindex"):
        check_index("--fix")


def test_reindex_records_this_codes_format(indexed, other_code):
    call_command("reindex", stdout=StringIO())
    assert engine().format_problem() == ""
    assert "agrees" in check_index()


def test_an_index_built_before_formats_were_recorded_is_named_as_such(indexed, search_engine):
    forget_the_format(search_engine)
    assert "before" in engine().format_problem() and "manage.py reindex" in engine().format_problem()
    with pytest.raises(CommandError, match="before"):
        check_index()
    call_command("reindex", stdout=StringIO())
    assert engine().format_problem() == ""


def test_the_first_entries_written_into_an_empty_index_record_its_format(
    indexed, search_engine, django_capture_on_commit_callbacks
):
    forget_the_format(search_engine)
    with django_capture_on_commit_callbacks(execute=True):
        remove_document(Document.objects.get())
    assert engine().indexed_count() == 0 and engine().format_problem() == ""
    forget_the_format(search_engine)  # the empty index, too, as from before formats
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    assert engine().indexed_count() == 4 and engine().format_problem() == ""


def test_searches_over_entries_of_other_code_say_the_index_is_being_updated_until_reindex(
    indexed, other_code, client, django_capture_on_commit_callbacks
):
    # An index of 2026-12-06 read by later code: some queries were server errors
    # (IndexError in the page's take), others answered totals a scan of the texts denies.
    page = client.get("/search/", {"q": "疫情防控"})
    assert page.status_code == 200 and "检索索引正在更新" in page.content.decode()
    assert "检索索引正在更新" in client.get("/api/search", {"q": "疫情防控"}).json()["message"]
    # An upload meanwhile is kept out of the old entries, and indexed with them all by reindex.
    page = "在全县秋粮收储工作会议上的讲话\n同志们：\n今年秋粮收储任务繁重，各乡镇要提前谋划，确保颗粒归仓。\n"
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(page.encode(), "county.txt")
    assert client.get("/api/search", {"q": "颗粒归仓"}).json()["count"] == 0
    call_command("reindex", stdout=StringIO())
    said = Speech.objects.filter(duplicate_of=None, text__contains="疫情防控").count()
    assert said and client.get("/api/search", {"q": "疫情防控"}).json()["count"] == said
    assert client.get("/api/search", {"q": "颗粒归仓"}).json()["count"] == 1


def test_check_index_on_an_index_older_code_cannot_open_says_so_in_a_line_naming_reindex(indexed, monkeypatch):
    # An index of 2026-11-22 pickled a codec class that has since moved: check_index died
    # with a 46-line traceback, from cron every hour.
    from speeches.search.whoosh.backend import ChineseWhooshSearchBackend, OldIndex

    backend = connections["default"].get_backend()
    if not isinstance(backend, ChineseWhooshSearchBackend) or engine().name != "whoosh":
        pytest.skip("the Whoosh engine's index folder")

    def gone(self):
        raise OldIndex(ImportError("No module named 'speeches.search.codec'"))

    monkeypatch.setattr(ChineseWhooshSearchBackend, "setup", gone)
    backend.setup_complete = False
    out = StringIO()
    with pytest.raises(CommandError, match=r"older version; run manage\.py reindex"):
        call_command("check_index", stdout=out)
    assert "search engine: the index cannot be read" in out.getvalue()


@pytest.mark.parametrize(
    "url",
    [
        "/search/export.csv?q=疫情防控",
        "/api/search/export.json?q=疫情防控",
        "/api/search?q=疫情防控",
        "/search/trends.csv?q=疫情防控",
        "/search/concordance.csv?q=疫情防控",
        "/search/feed.atom?q=疫情防控",
    ],
)
def test_downloads_while_the_index_must_be_rebuilt_answer_503_to_ask_again_not_an_empty_file(
    indexed, other_code, client, url
):
    # They were 200 with a header row alone (an empty feed), which a researcher's script
    # cannot tell from a search that found nothing.
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert "检索索引正在更新" in response.content.decode()


def test_the_upload_workers_round_goes_on_while_the_index_waits_for_reindex(
    indexed, other_code, django_capture_on_commit_callbacks, search_engine
):
    from speeches.index_check import PENDING_MARK

    # An upload into an index of other code is deferred; the worker's retry of it raised,
    # every round (a traceback each 10 s from --loop, each cron run an error exit).
    if search_engine != "whoosh":
        pytest.skip("the postgres engine writes its rows in the upload's transaction")
    page = "在全县秋粮收储工作会议上的讲话\n同志们：\n今年秋粮收储任务繁重，各乡镇要提前谋划，确保颗粒归仓。\n"
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(page.encode(), "county.txt")
    assert Document.objects.get(original_name="county.txt").error.startswith(PENDING_MARK)
    call_command("process_uploads", stdout=StringIO())
    assert Document.objects.get(original_name="county.txt").error.startswith(PENDING_MARK)
