"""The JSON API answers in the documented shapes."""

import pytest

from speeches.models import Speech
from speeches.search import search_speeches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]

RESULT_KEYS = {"id", "url", "title", "snippet", "score", "year", "topics", "document"}
SPEECH_KEYS = {"id", "url", "title", "text", "original_text", "topics", "year", "document", "duplicate_of"}


def test_search_answers_in_the_documented_shape(client, cast):
    data = client.get("/api/search", {"q": "疫情防控", "page": 1}).json()
    assert {"query", "count", "page", "results"} <= set(data)
    assert data["query"] == "疫情防控" and data["page"] == 1
    assert {r["id"] for r in data["results"]} == cast.ids("epidemic", "resumption", "exam", "cppcc")
    assert data["count"] == 4
    first = data["results"][0]
    assert RESULT_KEYS <= set(first)
    assert "<mark>" in first["snippet"]
    assert first["url"].endswith(f"/speeches/{first['id']}/")


def test_a_speech_answers_with_its_sections(client, cast):
    public_id = client.get("/api/search", {"q": "雨山区"}).json()["results"][0]["id"]
    assert public_id == cast["yushan"].public_id
    data = client.get(f"/api/speeches/{public_id}").json()
    assert SPEECH_KEYS | {"sections"} <= set(data)
    assert data["id"] == public_id
    assert data["sections"] and set(data["sections"][0]) == {"heading", "level", "text", "anchor"}
    assert [s["heading"] for s in data["sections"]] == [
        "",
        "一、充分肯定城市管理工作取得的成绩",
        "二、扎实做好今年的重点工作",
    ]
    assert "雨山区" in data["text"]


def test_the_speech_list_is_paginated_with_count_and_next(client, cast):
    # The cast's 14 speeches (its 2 copies are not listed) and 10 more of a document
    # made here: two pages of 20.
    document = cast.documents["reprint.txt"]
    for ordinal in range(3, 13):
        Speech.objects.create(
            document=document, ordinal=ordinal, public_id=f"more{ordinal:06d}", title="补充", text="补充"
        )
    data = client.get("/api/speeches").json()
    assert data["count"] == 24
    assert len(data["results"]) == 20 and data["next"].endswith("page=2")
    assert "sections" not in data["results"][0] and SPEECH_KEYS <= set(data["results"][0])
    last_page = -(-data["count"] // 20)
    assert client.get("/api/speeches", {"page": last_page}).json()["next"] is None


def test_an_unknown_speech_answers_404_in_json(client, cast):
    response = client.get("/api/speeches/doesnotexist")
    assert response.status_code == 404 and response.json()["error"] == "not found"
    assert response.json()["message"] == "没有这篇讲话（no such speech）"


def test_every_api_address_answers_json_and_a_trailing_slash_leads_to_the_address(client, cast):
    speech = cast["yushan"]
    response = client.get(f"/api/speeches/{speech.public_id}/", {"x": "1"})
    assert response.status_code == 301 and response["Location"] == f"/api/speeches/{speech.public_id}?x=1"
    assert client.get("/api/nothing/").status_code == 404  # no address to lead to
    for path in ("/api/nothing", "/api/speeches/doesnotexist/", "/api/topics/extra"):
        response = client.get(path, follow=True)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), path
        assert response.json()["message"]


def test_a_post_to_the_api_is_refused_in_json_and_a_refused_form_in_chinese(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/api/search", {"q": "工作"})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    assert "只接受 GET" in response.json()["message"]
    page = strict.post("/bookmarks/add/", {"public_id": cast["yushan"].public_id})
    assert page.status_code == 403 and "无法提交这个表单" in page.content.decode()


def test_a_method_the_api_does_not_take_and_an_unknown_export_format_answer_json(client, cast):
    # The test client skips the CSRF check (as a same-site form with its token would pass it).
    for path in ("/api/search", f"/api/speeches/{cast['yushan'].public_id}", "/api/topics"):
        response = client.post(path, {"q": "工作"})
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD", path
        assert "只接受 GET" in response.json()["message"]
    response = client.get("/api/search/export.xml", {"q": "工作"})
    assert response.status_code == 404 and "csv 或 json" in response.json()["message"]
    assert client.get("/search/export.xml", {"q": "工作"}).status_code == 404  # the page's own: HTML


def test_a_page_past_the_last_is_the_last_in_both_lists(client, cast):
    search = client.get("/api/search", {"q": "工作", "page": 999, "page_size": 4}).json()
    assert search["page"] == search["num_pages"] == 3 and search["results"]
    listing = client.get("/api/speeches", {"page": 999}).json()
    assert listing["page"] >= 1 and listing["results"]


def test_a_hits_date_is_given_as_the_speech_api_gives_it(client, cast):
    hit = next(
        r for r in client.get("/api/search", {"q": "工作"}).json()["results"] if r["id"] == cast["yushan"].public_id
    )
    assert hit["date"] == client.get(f"/api/speeches/{cast['yushan'].public_id}").json()["date"]
    assert hit["date"] == {"value": "2019-03-12", "standing": "stated"}


FILTER_PARAMS = ("topic", "year", "year_from", "year_to", "document", "level", "genre", "sort", "page", "page_size")


def test_search_takes_the_page_parameters_and_returns_facets(client, cast):
    plain = client.get("/api/search", {"q": "工作"}).json()
    assert set(plain["facets"]) == {"topic", "year", "document", "level", "genre", "office", "place", "occasion"}
    topic = plain["facets"]["topic"][0]
    narrowed = client.get("/api/search", {"q": "工作", "topic": topic["value"], "page_size": 5, "sort": "year"}).json()
    assert narrowed["count"] == topic["count"] and len(narrowed["results"]) == min(5, topic["count"])
    assert all(topic["label"] in r["topics"] for r in narrowed["results"])


def test_search_ignores_malformed_parameters_instead_of_failing(client, cast):
    response = client.get("/api/search", {"q": "工作", "year": "abc", "page": "-3", "page_size": "x", "sort": "drop"})
    assert response.status_code == 200 and response.json()["page"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"year_to": "-2147483449"},
        {"q": "发展", "year_from": "-2147483649", "year_to": "-2147483600"},
        {"q": "发展", "page": "461168601842738792"},
        {"q": "发展", "page": "461168601842738792", "sort": "year"},
        {"q": "发展", "document": "99999999999999999999"},
        {"q": "发展", "year": "99999999999"},
    ],
)
def test_numbers_past_any_year_document_or_page_are_read_within_bounds_not_a_server_error(client, cast, params):
    # A database's integer types end somewhere (PostgreSQL answered these with 500).
    for url in ("/api/search", "/search/", "/search/export.csv", "/search/feed.atom", "/search/trends/"):
        response = client.get(url, params)
        assert response.status_code in (200, 302), (url, response.status_code)


def test_a_range_reaching_past_the_years_of_speeches_covers_them_and_an_id_no_document_has_finds_nothing(client, cast):
    def total(**params) -> int:
        return client.get("/api/search", params).json()["count"]

    dated = total(year_from=1900, year_to=2100)
    assert dated and total(year_from=-5) == total(year_to=3000) == total(year_to=99999999999999999999) == dated
    for document in ("0", "-1", "2147483648", "99999999999999999999"):
        assert total(document=document) == 0, document
    assert total(year="99999999999") == 0
    assert total(year="abc") == total()  # a word that is no number is ignored, as before


@pytest.mark.parametrize(
    "params, named",
    [
        ({"year": "abc"}, "年份“abc”"),
        ({"year_from": "二〇一〇"}, "起始年份“二〇一〇”"),
        ({"year_to": "x"}, "截止年份“x”"),
        ({"document": "第三篇"}, "来源文件“第三篇”"),
        # Digits of another kind: str.isdigit() holds for them, int() refuses them, and
        # the filter was taken for a number no speech has (0 results, nothing said).
        ({"year": "²"}, "年份“²”"),
        ({"document": "²"}, "来源文件“²”"),
    ],
)
def test_a_filter_value_that_is_no_number_is_named_in_the_message_as_ignored(client, cast, params, named):
    data = client.get("/api/search", {"q": "工作", **params}).json()
    assert data["count"] == client.get("/api/search", {"q": "工作"}).json()["count"]
    assert "无法识别的筛选条件已忽略" in data["message"] and named in data["message"]
    assert named in client.get("/search/", {"q": "工作", **params}).content.decode()


def test_filter_values_that_are_numbers_or_undated_give_no_message(client, cast):
    data = client.get("/api/search", {"q": "工作", "year": ["2020", "unknown"], "year_from": "2000"}).json()
    assert data["message"] == ""


def test_a_failed_uploads_name_is_shown_to_no_one_through_a_filter(client, cast):
    from speeches.models import Document

    failed = Document.objects.create(
        original_name="内部材料.pdf", sha256="f" * 64, raw=b"%PDF", size=4, status=Document.Status.FAILED
    )
    facet = client.get("/api/search", {"document": failed.pk}).json()["facets"]["document"]
    assert [item["label"] for item in facet if item["value"] == str(failed.pk)] == [str(failed.pk)]
    assert "内部材料" not in client.get("/search/", {"document": failed.pk}).content.decode()


@pytest.mark.parametrize("status", ["failed", "queued"])
def test_an_upload_out_of_the_archive_is_named_by_no_feed_trend_or_saved_search(client, cast, status):
    # A queued upload never parsed has no speeches yet: as hidden as a failed one.
    from django.http import QueryDict

    from speeches.alerts import describe
    from speeches.models import Document
    from speeches.search import SearchParams

    hidden = Document.objects.create(original_name="内部材料.pdf", sha256="f" * 64, raw=b"%PDF", size=4, status=status)
    params = {"q": "安全", "document": hidden.pk}
    assert "内部材料" not in client.get("/search/feed.atom", params).content.decode()
    assert "内部材料" not in client.get("/search/trends/", params).content.decode()
    assert "内部材料" not in client.get("/search/", {"document": hidden.pk}).content.decode()

    # As the search page reads them: document numbers arrive as strings.
    def labelled(pk: int) -> str:
        return describe(SearchParams.from_querydict(QueryDict(f"q=安全&document={pk}")))

    assert labelled(hidden.pk) == f"安全 · 来源文件：第 {hidden.pk} 号"
    shown = cast.documents["city.txt"]
    assert labelled(shown.pk) == f"安全 · 来源文件：{shown.display_title}"


def test_topics_and_documents_answer_with_counts(client, cast):
    topics = client.get("/api/topics").json()["results"]
    assert topics and {"slug", "name", "url", "count"} <= set(topics[0])
    assert next(t["count"] for t in topics if t["slug"] == "epidemic") == 3
    documents = client.get("/api/documents").json()
    assert documents["count"] == 4 and {"id", "url", "title", "speeches"} <= set(documents["results"][0])


def test_the_documents_are_paged_with_a_link_to_the_next_page_as_the_speeches_are(client, cast, monkeypatch):
    monkeypatch.setattr("speeches.api.API_PAGE_SIZE", 3)
    first = client.get("/api/documents").json()
    assert len(first["results"]) == 3 and first["next"].endswith("/api/documents?page=2")
    last = client.get(first["next"]).json()
    assert last["page"] == 2 and last["next"] is None
    assert len({d["id"] for d in first["results"] + last["results"]}) == first["count"] == 4


@pytest.mark.parametrize(
    "query", ['"unbalanced', "(((", "OR", "-", "😀", "<b>x</b>", "'; DROP TABLE x;--", "疫" * 2000]
)
def test_a_malformed_query_answers_200_with_results_or_a_message(client, cast, query):
    response = client.get("/api/search", {"q": query})
    data = response.json()
    assert response.status_code == 200 and (data["results"] or data["message"])


def test_a_term_standing_in_the_title_only_finds_the_speech_with_an_empty_snippet(client, cast):
    data = client.get("/api/search", {"q": "旅游"}).json()  # in tourism's title, not in its text
    assert [r["id"] for r in data["results"]] == [cast["tourism"].public_id]
    assert data["results"][0]["snippet"] == ""


def test_the_speech_list_counts_each_speech_once_as_the_pages_do(client, cast):
    # The cast holds 14 speeches and 2 copies (cast.py): safety-again in county.txt and
    # yushan-copy in reprint.txt; the home page and /years/ count 14.
    listing = client.get("/api/speeches").json()
    assert listing["count"] == 14
    listed = {item["id"] for item in listing["results"]}
    listed |= {item["id"] for item in client.get("/api/speeches", {"page": 2}).json()["results"]}
    assert len(listed) == 14
    assert not listed & cast.ids("safety-again", "yushan-copy")
    assert cast.ids("safety", "yushan") <= listed


def test_a_copy_still_answers_by_its_own_id_naming_the_speech_it_copies(client, cast):
    response = client.get(f"/api/speeches/{cast['yushan-copy'].public_id}")
    assert response.status_code == 200
    assert response.json()["duplicate_of"] == cast["yushan"].public_id


def test_a_documents_speeches_and_copies_are_counted_apart_as_on_the_documents_page(client, cast):
    documents = {item["original_name"]: item for item in client.get("/api/documents").json()["results"]}
    counted = {name: (item["speeches"], item["copies"]) for name, item in documents.items()}
    # county.txt: six speeches, and safety-again repeating safety; reprint.txt: style,
    # and yushan-copy repeating city.txt's yushan.
    assert counted == {"city.txt": (4, 0), "province.txt": (3, 0), "county.txt": (6, 1), "reprint.txt": (1, 1)}


@pytest.mark.parametrize("url", ["/api/search?q=工作", "/search/export.csv?q=工作", "/api/speeches", "/api/topics"])
def test_head_is_answered_as_get_without_a_body(client, cast, url):
    # Link checkers and some download managers ask HEAD first (it was 405).
    head, get = client.head(url), client.get(url)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"] and head.content == b""


def test_the_api_root_lists_its_addresses_each_of_which_answers(client, cast):
    # A first-time user tries /api/ (the footer links the API's documentation): it was 404.
    data = client.get("/api/").json()
    assert data["documentation"] == "http://testserver/search/help/#api"
    urls = [endpoint["url"] for endpoint in data["endpoints"]]
    assert "http://testserver/api/search?q=" in urls and all(e["description"] for e in data["endpoints"])
    for url in urls:
        path = url.removeprefix("http://testserver").replace("{id}", cast["yushan"].public_id)
        assert client.get(path + ("工作" if path.endswith("q=") else "")).status_code == 200, path


def test_a_hit_says_whether_its_speech_is_a_fragment_as_the_speech_api_does(client, cast):
    # 春耕 stands only in `fragment` (残篇), 雨山区 in yushan (its copy collapsed onto it).
    hits = {r["id"]: r for r in client.get("/api/search", {"q": "春耕 OR 雨山区"}).json()["results"]}
    assert set(hits) == cast.ids("fragment", "yushan")
    assert hits[cast["fragment"].public_id]["fragment"] is True
    assert hits[cast["yushan"].public_id]["fragment"] is False
    assert client.get(f"/api/speeches/{cast['fragment'].public_id}").json()["fragment"] is True


def test_a_fragments_citation_says_in_every_form_that_the_page_kept_only_part_of_it(client, cast):
    # The fragment has no office, meeting or place to note: the note opens the notes.
    fragment, note = cast["fragment"], "残篇（来源网页仅存部分）"
    url = f"http://testserver/speeches/{fragment.public_id}/"
    source = f"来源文件：含山县工作会议讲话 http://testserver{cast.documents['county.txt'].get_absolute_url()}"
    whole = client.get(f"/api/speeches/{fragment.public_id}").json()["citation"]
    assert whole["gbt7714"].endswith(f"]. {url}. {note}；{source}.")
    assert f"  note = {{{note}；{source}}}\n" in whole["bibtex"]
    assert f"N1  - {note}\nN1  - {source}\nER  - \n" in whole["ris"]
    paragraph = client.get(f"/api/speeches/{fragment.public_id}/citation", {"paragraph": "p1"}).json()
    assert paragraph["gbt7714"].endswith(f"]. {url}#p1. {note}；{source}.")
    assert f"  note = {{第1段；{note}；{source}}}\n" in paragraph["bibtex"]
    assert f"N1  - 第1段\nN1  - {note}\n" in paragraph["ris"]
    whole = client.get(f"/api/speeches/{cast['yushan'].public_id}").json()["citation"]
    assert "残篇" not in "".join(whole.values())


def test_the_cite_boxs_bibtex_escapes_a_paragraphs_hash_inside_url_only(client, cast):
    speech = cast["yushan"]
    url = f"http://testserver/speeches/{speech.public_id}/"
    data = client.get(f"/api/speeches/{speech.public_id}/citation", {"paragraph": "p3"}).json()
    assert f"  howpublished = {{\\url{{{url}\\#p3}}}},\n  url = {{{url}#p3}},\n" in data["bibtex"]
    # No backslash where the URL is given plainly.
    assert f"UR  - {url}#p3\n" in data["ris"] and f" {url}#p3. " in data["gbt7714"]


@pytest.mark.parametrize("query", ["-工作", "NOT 工作", "工作 OR -讲话", "：", "。"])
def test_a_query_with_nothing_to_look_for_finds_nothing_under_a_filter_too_on_every_output(client, cast, query):
    # With a filter it listed every speech the filter allows, those saying 工作 among
    # them: the page, the API, the exports and the feed all counted that set.
    year = str(Speech.objects.exclude(year=None).values_list("year", flat=True).first())
    assert client.get("/api/search", {"year": year}).json()["count"] > 0
    data = client.get("/api/search", {"q": query, "year": year}).json()
    assert data["count"] == 0 and data["results"] == [] and data["message"]
    assert client.get("/search/export.json", {"q": query, "year": year}).json()["results"] == []
    assert "<entry>" not in client.get("/search/feed.atom", {"q": query, "year": year}).content.decode()
    assert "共找到 <strong>0</strong> 篇讲话" in client.get("/search/", {"q": query, "year": year}).content.decode()


@pytest.mark.parametrize("invisible", ["\u200e", "\u200b\ufeff", "\u202c", "\u00ad "])
def test_a_query_of_characters_of_no_width_is_no_query_and_the_filter_lists_what_it_allows(client, cast, invisible):
    # Taken for a query that finds nothing, it hid every speech the filter allows.
    year = str(Speech.objects.exclude(year=None).values_list("year", flat=True).first())
    alone = client.get("/api/search", {"year": year}).json()["count"]
    assert alone > 0 and client.get("/api/search", {"q": invisible, "year": year}).json()["count"] == alone


def test_a_query_of_characters_of_no_width_shows_the_search_page_as_an_empty_box_does(client, cast):
    # It showed 查询中没有可搜索的词语 · 共找到 0 篇, a query that found nothing.
    page = client.get("/search/", {"q": "\u200e"})
    assert page.context["results"] is None and "共找到" not in page.content.decode()
    assert "<entry>" not in client.get("/search/feed.atom", {"q": "\u200e"}).content.decode()


def test_the_speeches_pages_list_every_distinct_speech_once_in_the_files_order(client, cast, monkeypatch):
    monkeypatch.setattr("speeches.api.API_PAGE_SIZE", 7)
    listed, url = [], "/api/speeches"
    while url:
        data = client.get(url).json()
        listed += [item["id"] for item in data["results"]]
        url = data["next"]
    order = Speech.objects.canonical().order_by("document_id", "ordinal").values_list("public_id", flat=True)
    assert len(listed) > 7 and listed == list(order)


def test_a_score_is_given_to_six_significant_digits_and_only_where_the_hits_are_ranked(client, cast):
    # Rounded to four places, a term in nearly every speech scored 0.0000 at 20,000
    # speeches, and equal scores stood in an order they did not explain.
    ranked = client.get("/api/search", {"q": "工作"}).json()
    raw = {hit.speech.public_id: hit.score for hit in search_speeches("工作").hits}
    assert ranked["sort"] == "relevance" and ranked["results"]
    assert all(abs(item["score"] - raw[item["id"]]) <= raw[item["id"]] * 1e-5 for item in ranked["results"])
    # Sorted by a column, or a browse without a term (asked "by relevance", given by
    # year): no score, and the order applied is the one said.
    by_year = client.get("/api/search", {"q": "工作", "sort": "year"}).json()
    browse = client.get("/api/search", {"document": cast.documents["city.txt"].pk}).json()
    assert by_year["sort"] == browse["sort"] == "year" and browse["count"] > 1
    assert {item["score"] for item in by_year["results"] + browse["results"]} == {None}
    exported = client.get("/search/export.json", {"q": "工作", "sort": "length"}).json()["results"]
    assert exported and {row["score"] for row in exported} == {None}
