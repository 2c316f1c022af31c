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
from speeches.models import Document
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
