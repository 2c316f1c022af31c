"""The JSON API answers in the documented shapes."""

import pytest

pytestmark = pytest.mark.django_db

RESULT_KEYS = {"id", "url", "title", "snippet", "score", "year", "topics", "document"}
SPEECH_KEYS = {"id", "url", "title", "text", "original_text", "topics", "year", "document", "duplicate_of"}


def test_search_answers_in_the_documented_shape(client, corpus):
    data = client.get("/api/search", {"q": "疫情防控", "page": 1}).json()
    assert {"query", "count", "page", "results"} <= set(data)
    assert data["query"] == "疫情防控" and data["page"] == 1 and data["count"] >= 10
    first = data["results"][0]
    assert set(first) == RESULT_KEYS
    assert "<mark>" in first["snippet"]
    assert first["url"].endswith(f"/speeches/{first['id']}/")


def test_a_speech_answers_with_its_sections(client, corpus):
    public_id = client.get("/api/search", {"q": "雨山区"}).json()["results"][0]["id"]
    data = client.get(f"/api/speeches/{public_id}").json()
    assert SPEECH_KEYS | {"sections"} <= set(data)
    assert data["id"] == public_id
    assert data["sections"] and set(data["sections"][0]) == {"heading", "level", "text", "anchor"}
    assert "雨山区" in data["text"]


def test_the_speech_list_is_paginated_with_count_and_next(client, corpus):
    data = client.get("/api/speeches").json()
    assert data["count"] >= 70
    assert len(data["results"]) == 20 and data["next"].endswith("page=2")
    assert "sections" not in data["results"][0] and SPEECH_KEYS <= set(data["results"][0])
    last_page = -(-data["count"] // 20)
    assert client.get("/api/speeches", {"page": last_page}).json()["next"] is None


def test_an_unknown_speech_answers_404_in_json(client, corpus):
    response = client.get("/api/speeches/doesnotexist")
    assert response.status_code == 404 and response.json()["error"] == "not found"
