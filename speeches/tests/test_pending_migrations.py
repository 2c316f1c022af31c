"""A deploy that starts this code before `manage.py migrate`: pages say 维护中 (503), not
server errors (archive/pending_migrations.py)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def forget_the_last_migration() -> None:
    """As a database the last migration was never applied to."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'speeches' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'speeches')"
        )


def test_pages_answer_503_saying_the_archive_is_being_upgraded_while_a_migration_is_missing(client):
    forget_the_last_migration()
    for url in ("/", "/api/search?q=讲话", "/search/?q=讲话"):
        response = client.get(url)
        assert response.status_code == 503 and response["Retry-After"].isdigit(), url
        assert "维护中" in response.content.decode()


def test_pages_answer_as_usual_once_every_migration_is_applied(client):
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("check_index", []),
        ("reindex", []),
        ("ingest", ["corpus/seeds"]),
        ("rebuild_from_raw", []),
        ("process_uploads", []),
        ("send_search_digests", []),
    ],
)
def test_the_archives_commands_name_migrate_before_touching_a_database_that_lacks_a_migration(command, args):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    # check_index died with a traceback (no such table: speeches_enginestate).
    forget_the_last_migration()
    with pytest.raises(CommandError, match=r"1 migrations not applied.*manage\.py migrate"):
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())


def test_a_report_of_what_ingest_would_do_needs_no_database():
    from io import StringIO

    from django.core.management import call_command

    forget_the_last_migration()
    out = StringIO()
    call_command("ingest", "--report", "corpus/seeds/002_5507ae1777cd8619.txt", stdout=out, stderr=StringIO())
    assert out.getvalue()
