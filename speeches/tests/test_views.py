"""Pages render in Chinese and link to each other."""

import pytest

from speeches.models import Document, Speech, SpeechAlias

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_counts_topics_and_documents(client, corpus):
    html = client.get("/").content.decode()
    count = Speech.objects.canonical().count()
    assert f"<strong>{count}</strong>" in html
    assert "疫情防控" in html and "在城管工作会议上的讲话稿" in html


def test_the_search_page_lists_highlighted_results(client, corpus):
    html = client.get("/search/", {"q": "疫情防控"}).content.decode()
    assert "共找到" in html and "<mark>" in html


def test_the_search_page_shows_facets_trends_and_export_links(client, corpus):
    html = client.get("/search/", {"q": "工作", "level": "市"}).content.decode()
    assert 'data-facet="topic"' in html and "✓ 市" in html
    assert "<svg" in html and "每年命中篇数" in html
    assert "/search/export.csv?q=" in html and "level=" in html


def test_pagination_links_keep_the_filters(client, corpus):
    html = client.get("/search/", {"q": "工作", "level": "市"}).content.decode()
    assert 'rel="next"' in html and "level=%E5%B8%82&amp;page=2" in html


@pytest.mark.parametrize("query", ['"unbalanced', "(((", "OR", "<script>alert(1)</script>", "疫" * 2000, "😀"])
def test_a_malformed_query_answers_200_with_a_message(client, corpus, query):
    response = client.get("/search/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200 and ('class="notice"' in html or "共找到" in html)
    assert "<script>alert(1)</script>" not in html


def test_a_snippet_holding_a_script_tag_is_escaped(client, corpus):
    speech = Speech.objects.filter(text__contains="雨山区").first()
    speech.text = speech.text.replace("雨山区", "雨山区<script>alert(1)</script>", 1)
    speech.save()
    html = client.get("/search/", {"q": "雨山区"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


@pytest.mark.parametrize("url", ["/topics/", "/years/", "/documents/", "/search/help/", "/search/?topic=epidemic"])
def test_browse_and_help_pages_render(client, corpus, url):
    assert client.get(url).status_code == 200


def test_the_year_page_lists_that_years_speeches(client, corpus):
    speech = Speech.objects.canonical().exclude(year=None).first()
    html = client.get(f"/years/{speech.year}/").content.decode()
    assert speech.title in html or f"共 {Speech.objects.canonical().filter(year=speech.year).count()} 篇" in html


def test_the_topic_page_lists_its_speeches_with_a_link_to_each(client, corpus):
    from speeches.models import Topic

    topic = Topic.objects.get(slug="epidemic")
    speeches = list(topic.speeches.canonical().order_by("-speechtopic__score")[:20])
    html = client.get(topic.get_absolute_url()).content.decode()
    assert f"共 {topic.speeches.canonical().count()} 篇" in html
    assert speeches and all(s.get_absolute_url() in html for s in speeches)


def test_the_help_page_documents_the_query_language(client, corpus):
    html = client.get("/search/help/").content.decode()
    assert all(token in html for token in ("OR", "-词", "title:", "短语", "/api/search"))


def test_a_speech_page_shows_its_text_with_paragraph_anchors(client, corpus):
    speech = Speech.objects.get(document=corpus["002_5507ae1777cd8619.txt"], ordinal=1)
    response = client.get(speech.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert speech.title in html and 'id="p1"' in html
    assert f'rel="canonical" href="http://testserver/speeches/{speech.public_id}/"' in html


def test_a_speech_page_marks_the_query_it_was_reached_from(client, corpus):
    speech = Speech.objects.filter(text__contains="雨山区").first()
    html = client.get(speech.get_absolute_url(), {"q": "雨山區"}).content.decode()
    assert "<mark>雨山区</mark>" in html


def test_a_merged_speech_id_redirects_permanently(client, corpus):
    target = Speech.objects.first()
    SpeechAlias.objects.create(public_id="oldid12345", speech=target, reason="merged")
    response = client.get("/speeches/oldid12345/")
    assert response.status_code == 301 and response["Location"] == target.get_absolute_url()


def test_a_removed_speech_id_explains_what_happened(client, corpus):
    SpeechAlias.objects.create(public_id="goneid1234", document=corpus["000_e3c50620afa4a9e1.txt"], reason="removed")
    response = client.get("/speeches/goneid1234/")
    assert response.status_code == 410 and "不再单独收录" in response.content.decode()


def test_the_document_page_lists_its_speeches_and_links_the_raw_source(client, corpus):
    document = corpus["003_2b7a5b5f4b6eab26.txt"]
    html = client.get(document.get_absolute_url()).content.decode()
    assert f"/documents/{document.pk}/raw/" in html and "重复" in html
    raw = client.get(f"/documents/{document.pk}/raw/")
    assert raw.content == bytes(document.raw)


@pytest.mark.parametrize("status", ["failed", "queued", "processing"])
def test_a_document_not_in_the_archive_and_its_raw_bytes_are_for_staff_only(client, corpus, django_user_model, status):
    document = Document.objects.create(
        original_name="refused.txt", sha256="f" * 64, raw=b"secret bytes", size=12, status=status, error="not text"
    )
    for url in (f"/documents/{document.pk}/", f"/documents/{document.pk}/raw/"):
        assert client.get(url).status_code == 404
    client.force_login(django_user_model.objects.create_user("reader", password="pw-for-tests-only"))
    assert client.get(f"/documents/{document.pk}/raw/").status_code == 404
    client.force_login(django_user_model.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.get(f"/documents/{document.pk}/raw/").content == b"secret bytes"


def test_a_missing_page_answers_in_chinese_with_the_site_header_and_a_search_box(client, corpus):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到这个页面" in html and 'class="site-header"' in html and 'name="q"' in html and "返回首页" in html


def test_the_server_error_page_is_chinese_and_needs_neither_request_nor_database():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "服务器出错" in html and 'action="/search/"' in html and 'href="/"' in html


def test_html_is_compressed_for_a_browser_that_accepts_gzip(client, corpus):
    import gzip

    response = client.get("/search/", {"q": "安全生产"}, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "安全生产" in gzip.decompress(response.content).decode()


def test_every_page_names_a_favicon_and_the_browsers_default_address_leads_to_it(client, corpus):
    assert 'rel="icon"' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_the_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/documents/",
        "/search/?q=工作",
        "/years/",
        "/topics/",
        "/api/search?q=工作",
        "/api/speeches",
        "/api/documents",
    ],
)
def test_listings_never_fetch_the_source_files_raw_bytes(client, corpus, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    raw_column = '"speeches_document"."raw"'
    assert queries.captured_queries and not [q["sql"][:120] for q in queries.captured_queries if raw_column in q["sql"]]


def test_a_speech_page_and_a_document_page_never_fetch_the_raw_bytes_but_the_raw_view_does(client, corpus):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    speech = Speech.objects.canonical().first()
    raw_column = '"speeches_document"."raw"'
    for url in (speech.get_absolute_url(), f"/documents/{speech.document_id}/", f"/api/speeches/{speech.public_id}"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not [q["sql"][:120] for q in queries.captured_queries if raw_column in q["sql"]], url
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/documents/{speech.document_id}/raw/").content == bytes(
            Document.objects.get(pk=speech.document_id).raw
        )
    assert any(raw_column in q["sql"] for q in queries.captured_queries)


def test_also_appears_in_links_to_the_list_of_copies_on_the_speech_page(client, corpus):
    original = Speech.objects.canonical().filter(duplicates__isnull=False).distinct().first()
    assert original is not None, "the sample has copies"
    words = original.title
    html = client.get("/search/", {"q": words, "page_size": 100}).content.decode()
    assert f'href="{original.get_absolute_url()}#copies">另见于' in html
    page = client.get(original.get_absolute_url()).content.decode()
    assert 'id="copies"' in page and original.duplicates.first().get_absolute_url() in page


def test_page_numbers_show_the_first_the_last_and_those_around_the_current_one():
    from speeches.views import page_numbers

    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]


def test_the_results_are_paginated_by_number_with_the_current_page_marked(client, corpus):
    html = client.get("/search/", {"q": "工作", "page": 2}).content.decode()
    assert '<span class="current" aria-current="page">2</span>' in html
    assert 'aria-label="第 1 页"' in html and "page=3" in html and 'rel="prev"' in html


def test_the_home_page_counts_distinct_speeches_and_copies_apart_and_the_documents_add_up(client, corpus):
    html = client.get("/").content.decode()
    distinct = Speech.objects.canonical().count()
    copies = Speech.objects.filter(duplicate_of__isnull=False).count()
    assert copies > 0 and f"<strong>{distinct}</strong> 篇讲话" in html and f"另有 {copies} 篇" in html
    listing = client.get("/documents/").content.decode()
    for document in Document.objects.ingested():
        own = document.speeches.filter(duplicate_of__isnull=True).count()
        repeated = document.speeches.count() - own
        assert f"{own} 篇，另 {repeated} 篇重复" in listing if repeated else f"{own} 篇 · " in listing
