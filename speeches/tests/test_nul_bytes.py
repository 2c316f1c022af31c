"""A NUL in an address, a query or a form (archive/nul_bytes.py): PostgreSQL refuses it
in a string, and each reached the database as a server error. Run on both databases."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from speeches.models import Bookmark

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]


@pytest.mark.parametrize("path", ["/speeches/%00/", "/speeches/a%00/x/", "/places/%00/", "/offices/%00/"])
def test_an_address_holding_a_nul_names_nothing(client, cast, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api/speeches/%00", "/api/speeches/%00/citation"])
def test_an_api_address_holding_a_nul_answers_404_in_json(client, cast, path):
    response = client.get(path)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_a_nul_in_a_query_or_a_form_is_read_as_a_space(client, cast):
    client.force_login(User.objects.create_user("alice", password="a-long-passphrase-1"))
    for params in ({"q": "\x00"}, {"tag": "\x00"}):
        assert client.get("/bookmarks/", params).status_code == 200
    assert client.get("/bookmarks/export.csv", {"q": "a\x00b"}).status_code == 200
    speech = cast["yushan"]
    assert client.post("/bookmarks/add/", {"public_id": "\x00"}).status_code == 404
    body = f"public_id={speech.public_id}&note=%E6%B3%A8%00%E9%87%8A"  # as a browser's form sends it
    response = client.post("/bookmarks/add/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302 and Bookmark.objects.get().note == "注 释"
    assert client.get("/search/", {"q": "安全\x00生产"}).status_code == 200


def test_a_client_that_leaves_in_the_middle_of_its_form_gets_no_server_error():
    import io

    from django.core.handlers.wsgi import WSGIHandler

    class LeftMidBody(io.RawIOBase):
        def read(self, *args):
            raise OSError("client went away mid-body")

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/accounts/login/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": LeftMidBody(),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "100",
    }
    statuses = []
    WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    assert not statuses[0].startswith("5"), statuses
