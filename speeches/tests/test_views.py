"""Pages render in Chinese and link to each other."""

import re
from types import SimpleNamespace
from unittest import mock
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from speeches.models import Document, Speech, SpeechAlias, forget_years_held, years_held
from speeches.tests.admin_helpers import make_staff
from speeches.tests.page_html import one

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_counts_topics_and_documents(client, cast):
    html = client.get("/").content.decode()
    assert "<strong>14</strong>" in html  # the cast's distinct speeches
    assert "疫情防控" in html and "马鞍山市领导讲话选编" in html


def test_the_home_page_lists_the_newest_files_first_as_the_documents_page_does(client, cast):
    def document_links(html: str) -> list[str]:
        return re.findall(r'href="(/documents/\d+/)"', html)

    home = document_links(client.get("/").content.decode())
    listing = document_links(client.get("/documents/").content.decode())
    assert len(home) >= 2 and home == listing[: len(home)]
    newest = Document.objects.ingested().order_by("-created_at", "-id").first()
    assert home[0] == f"/documents/{newest.pk}/"


def test_the_search_page_lists_highlighted_results(client, cast):
    html = client.get("/search/", {"q": "疫情防控"}).content.decode()
    assert "共找到" in html and "<mark>疫情防控</mark>" in html
    assert cast["epidemic"].get_absolute_url() in html


def test_the_search_page_shows_facets_trends_and_export_links(client, cast):
    html = client.get("/search/", {"q": "工作", "level": "市"}).content.decode()
    assert 'data-facet="topic"' in html and "✓ 市" in html
    assert "<svg" in html and "每年命中篇数" in html
    assert "/search/export.csv?q=" in html and "level=" in html


def test_pagination_links_keep_the_filters(client, cast):
    # Four city-level speeches hold 工作: two pages of three.
    html = client.get("/search/", {"q": "工作", "level": "市", "page_size": 3}).content.decode()
    assert 'rel="next"' in html and "level=%E5%B8%82&amp;page=2" in html


@pytest.mark.parametrize("query", ['"unbalanced', "(((", "OR", "<script>alert(1)</script>", "疫" * 2000, "😀"])
def test_a_malformed_query_answers_200_with_a_message(client, cast, query):
    response = client.get("/search/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200 and ('class="notice"' in html or "共找到" in html)
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("query, offered", [("-疫情", False), ("OR", False), ("疫情 -防控", True)])
def test_a_query_with_nothing_to_look_for_offers_no_feed_and_nothing_to_save(client, cast, query, offered):
    html = client.get("/search/", {"q": query}).content.decode()
    assert ("订阅此检索" in html) is offered
    assert ("保存此检索" in html) is offered
    assert ('type="application/atom+xml"' in html) is offered


def test_a_snippet_holding_a_script_tag_is_escaped(client, cast):
    speech = cast["yushan"]
    speech.text = speech.text.replace("雨山区", "雨山区<script>alert(1)</script>", 1)
    speech.save()
    html = client.get("/search/", {"q": "雨山区"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


@pytest.mark.parametrize("url", ["/topics/", "/years/", "/documents/", "/search/help/", "/search/?topic=epidemic"])
def test_browse_and_help_pages_render(client, cast, url):
    assert client.get(url).status_code == 200


def test_the_year_page_lists_that_years_speeches(client, cast):
    html = client.get("/years/2020/").content.decode()
    assert "共 2 篇" in html
    assert cast["epidemic"].get_absolute_url() in html and cast["resumption"].get_absolute_url() in html
    assert cast["yushan"].get_absolute_url() not in html  # 2019


def test_a_year_without_speeches_is_not_found_and_the_undated_ones_are_reachable_from_the_years_page(client, cast):
    assert client.get("/years/1850/").status_code == 404  # as /places/火星/
    undated = Speech.objects.canonical().filter(year=None).count()
    html = client.get("/years/").content.decode()
    assert undated and f'href="/search/?year=unknown">年份不确定 <span class="count">{undated}</span>' in html


def test_the_topic_page_lists_its_speeches_with_a_link_to_each(client, cast):
    html = client.get("/topics/epidemic/").content.decode()
    assert "共 3 篇" in html
    assert all(cast[key].get_absolute_url() in html for key in ("epidemic", "resumption", "cppcc"))
    assert cast["safety"].get_absolute_url() not in html


def test_a_topics_pages_list_each_of_its_speeches_once_where_scores_tie(client, corpus):
    from speeches.models import SpeechTopic, Topic

    # Scores are rounded to 0.001, so they tie; ordered by score alone, PostgreSQL paged the
    # ties arbitrarily: one speech on two pages and another on none.
    topic = Topic.objects.create(slug="ties", name="并列")
    speeches = list(Speech.objects.canonical())
    SpeechTopic.objects.bulk_create(SpeechTopic(speech=speech, topic=topic, score=1.0) for speech in speeches)
    listed, page = [], 1
    while True:
        html = client.get("/topics/ties/", {"page": page}).content.decode()
        listed += [href for href in re.findall(r'href="(/speeches/[^"/]+/)"', html) if href not in listed[-40:]]
        if f"page={page + 1}" not in html:
            break
        page += 1
    assert len(speeches) > 40 and sorted(listed) == sorted({s.get_absolute_url() for s in speeches})


@pytest.mark.parametrize("page", ["0", "-1"])
def test_a_page_number_below_one_shows_the_first_page_not_the_last(client, corpus, page):
    html = client.get("/search/concordance/", {"q": "工作", "page": page}).content.decode()
    assert re.search(r"第 1 / \d+ 页", html) and not re.search(r"第 1 / 1 页", html)


def test_the_help_page_documents_the_query_language(client, cast):
    html = client.get("/search/help/").content.decode()
    assert all(token in html for token in ("OR", "-词", "title:", "短语", "/api/search"))


def test_the_footers_api_link_leads_to_the_apis_documentation_which_lists_every_address(client, cast):
    home = client.get("/").content.decode()
    footer = home[home.index('<footer class="site-footer">') :]
    assert 'href="/search/help/#api">JSON API</a>' in footer and 'href="/api/speeches"' not in footer
    help_page = client.get("/search/help/").content.decode()
    assert '<h2 id="api">JSON API</h2>' in help_page
    for address in ("/api/speeches?page=", "/api/speeches/<var>id</var>", "/citation?paragraph=", "/api/search?q="):
        assert address in help_page


def test_a_speech_page_shows_its_text_with_paragraph_anchors(client, cast):
    speech = cast["yushan"]
    response = client.get(speech.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert speech.title in html and 'id="p1"' in html
    assert f'rel="canonical" href="http://testserver/speeches/{speech.public_id}/"' in html


def test_a_speech_page_marks_the_query_it_was_reached_from(client, cast):
    speech = cast["yushan"]
    html = client.get(speech.get_absolute_url(), {"q": "雨山區"}).content.decode()
    assert "<mark>雨山区</mark>" in html


def test_a_merged_speech_id_redirects_permanently(client, cast):
    target = cast["land"]
    SpeechAlias.objects.create(public_id="oldid12345", speech=target, reason="merged")
    response = client.get("/speeches/oldid12345/")
    assert response.status_code == 301 and response["Location"] == target.get_absolute_url()


def test_a_removed_speech_id_explains_what_happened(client, cast):
    SpeechAlias.objects.create(public_id="goneid1234", document=cast.documents["city.txt"], reason="removed")
    response = client.get("/speeches/goneid1234/")
    assert response.status_code == 410 and "不再单独收录" in response.content.decode()


def test_the_document_page_lists_its_speeches_and_links_the_raw_source(client, cast):
    document = cast.documents["county.txt"]  # it prints 安全生产's speech twice
    html = client.get(document.get_absolute_url()).content.decode()
    assert f"/documents/{document.pk}/raw/" in html and "重复" in html
    # The copy names the speech it repeats by its title and place in the page, not its id.
    safety = cast["safety"]
    assert f'title="{safety.public_id}">{safety.title}</a>（第 {safety.ordinal} 篇） 重复' in html
    assert cast["exam"].get_absolute_url() in html and cast["fragment"].get_absolute_url() in html
    raw = client.get(f"/documents/{document.pk}/raw/")
    assert raw.content == bytes(document.raw)


def test_why_a_documents_last_processing_failed_is_shown_to_staff_not_to_readers(client, cast, django_user_model):
    document = cast.documents["county.txt"]
    note = "内部错误（internal error while storing）: InternalError: simulated"
    Document.objects.filter(pk=document.pk).update(error=note)
    assert "InternalError" not in client.get(document.get_absolute_url()).content.decode()
    client.force_login(make_staff(django_user_model))
    assert note in client.get(document.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "decoded, label", [("cp950", "big5"), ("big5hkscs", "big5"), ("gb18030", "gb18030"), ("utf-16-le", "utf-16le")]
)
def test_the_raw_source_names_its_encoding_as_browsers_know_it(client, cast, decoded, label):
    document = cast.documents["county.txt"]
    Document.objects.filter(pk=document.pk).update(encoding=decoded)
    response = client.get(f"/documents/{document.pk}/raw/")
    assert response["Content-Type"] == f"text/plain; charset={label}"


def test_the_document_page_counts_its_speeches_as_the_list_of_documents_does(client, cast):
    document = cast.documents["county.txt"]  # it prints 安全生产's speech twice
    distinct = document.speeches.filter(duplicate_of__isnull=True).count()
    copies = document.speeches.count() - distinct
    assert copies >= 1
    counted = f"{distinct} 篇，另 {copies} 篇重复"
    assert f"收录讲话（{counted}）" in client.get(document.get_absolute_url()).content.decode()
    assert counted in client.get("/documents/").content.decode()


def test_the_text_a_page_holds_before_its_speeches_is_labelled_as_no_speechs(client, cast):
    document = cast.documents["county.txt"]
    Document.objects.filter(pk=document.pk).update(preamble="总结可以帮助我们更好地审视自己")
    html = client.get(document.get_absolute_url()).content.decode()
    assert "讲话之前的网页文字" in html and "不属于任何一篇讲话，按原文保留：总结可以帮助我们" in html


def test_a_places_page_lists_the_places_one_level_down_counted_as_the_places_page_counts_them(client, cast):
    def linked_counts(html: str) -> dict[str, int]:
        return {
            unquote(place): int(n)
            for place, n in re.findall(r'href="/places/([^/"]+)/">[^<]*<span class="count">(\d+)</span>', html)
        }

    within = linked_counts(client.get("/places/安徽/").content.decode().split("下辖地点")[1])
    listed = linked_counts(client.get("/places/").content.decode())
    # The cast places speeches in 安徽·马鞍山 and in two counties under it.
    assert within == {"安徽·马鞍山": listed["安徽·马鞍山"]}
    whole = Speech.objects.canonical().filter(region__startswith="安徽·马鞍山").count()
    assert within["安徽·马鞍山"] == whole


def test_the_document_pages_report_says_what_each_step_did_in_chinese(client, corpus):
    document = corpus["003_2b7a5b5f4b6eab26.txt"]
    html = client.get(document.get_absolute_url()).content.decode()
    report = html[html.index("处理报告") :]
    counts = {step["step"]: step["counts"] for step in document.report["steps"]}
    assert f"<td>乱码</td><td>发现乱码 {counts['mojibake']['runs_found']} 段，修复 " in report
    assert f"分出讲话 {counts['split']['speeches']} 篇" in report
    # No count is shown by its key (runs_found, started_by_numbering-restart …).
    assert not re.search(r"<td>[^<]*[a-z]+_[a-z]+", report)


@pytest.mark.parametrize("status", ["failed", "queued", "processing"])
def test_a_document_not_in_the_archive_and_its_raw_bytes_are_for_staff_only(client, cast, django_user_model, status):
    document = Document.objects.create(
        original_name="refused.txt", sha256="f" * 64, raw=b"secret bytes", size=12, status=status, error="not text"
    )
    for url in (f"/documents/{document.pk}/", f"/documents/{document.pk}/raw/"):
        assert client.get(url).status_code == 404
    client.force_login(django_user_model.objects.create_user("reader", password="pw-for-tests-only"))
    assert client.get(f"/documents/{document.pk}/raw/").status_code == 404
    # Staff without the documents' permissions (their admin pages answer 403) see no more.
    client.force_login(django_user_model.objects.create_user("intern", password="pw-for-tests-only", is_staff=True))
    assert client.get(f"/documents/{document.pk}/raw/").status_code == 404
    client.force_login(make_staff(django_user_model))
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200 and "：not text</span>" in page.content.decode()  # why, for staff
    assert client.get(f"/documents/{document.pk}/raw/").content == b"secret bytes"


def test_bytes_that_never_decoded_are_given_back_under_their_own_extension_not_as_text(client, django_user_model):
    png = b"\x89PNG\r\n\x1a\n" + bytes(20)
    document = Document.objects.create(
        original_name="图表.PNG", sha256="e" * 64, raw=png, size=len(png), status="failed", error="not text"
    )
    client.force_login(make_staff(django_user_model))
    raw = client.get(f"/documents/{document.pk}/raw/")
    assert raw.content == png and raw["Content-Type"] == "application/octet-stream"
    assert raw["Content-Disposition"] == f'attachment; filename="{"e" * 12}.png"'


def test_a_document_waiting_to_be_parsed_again_keeps_its_page_and_bytes_public_while_its_speeches_are(client, cast):
    # A re-ingest queued past the inline budget: its speeches stay public and link here.
    document = cast["yushan"].document
    Document.objects.filter(pk=document.pk).update(status=Document.Status.QUEUED)
    assert client.get(cast["yushan"].get_absolute_url()).status_code == 200
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.get(f"/documents/{document.pk}/raw/").status_code == 200


def test_a_missing_page_answers_in_chinese_with_the_site_header_and_a_search_box(client, cast):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到这个页面" in html and 'class="site-header"' in html and 'name="q"' in html and "返回首页" in html


def test_the_server_error_page_is_chinese_and_needs_neither_request_nor_database():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "服务器出错" in html and 'action="/search/"' in html and 'href="/"' in html


def test_a_host_not_served_is_answered_in_chinese(client, settings):
    settings.ALLOWED_HOSTS = ["archive.example.org"]
    response = client.get("/", headers={"host": "evil.test"})
    assert response.status_code == 400 and "请求有误（400）" in response.content.decode()


def test_a_staff_member_without_the_permission_is_refused_in_chinese(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("intern", password="pw-for-tests-only", is_staff=True))
    response = client.get("/admin/speeches/document/upload/")
    assert response.status_code == 403 and "无权访问（403）" in response.content.decode()


def test_html_is_compressed_for_a_browser_that_accepts_gzip(client, cast):
    import gzip

    response = client.get("/search/", {"q": "安全生产"}, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "安全生产" in gzip.decompress(response.content).decode()


def test_every_page_names_a_favicon_and_the_browsers_default_address_leads_to_it(client, cast):
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
def test_listings_never_fetch_the_source_files_raw_bytes(client, cast, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    raw_column = '"speeches_document"."raw"'
    assert queries.captured_queries and not [q["sql"][:120] for q in queries.captured_queries if raw_column in q["sql"]]


def test_a_speech_page_and_a_document_page_never_fetch_the_raw_bytes_but_the_raw_view_does(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    speech = cast["shaanxi"]
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


def test_also_appears_in_links_to_the_list_of_copies_on_the_speech_page(client, cast):
    original, copy = cast["yushan"], cast["yushan-copy"]
    html = client.get("/search/", {"q": "雨山区", "page_size": 100}).content.decode()
    assert f'href="{original.get_absolute_url()}#copies">另见于' in html
    assert copy.get_absolute_url() not in html  # the copy is not a result of its own
    page = client.get(original.get_absolute_url()).content.decode()
    assert 'id="copies"' in page and copy.get_absolute_url() in page


def test_page_numbers_show_the_first_the_last_and_those_around_the_current_one():
    from speeches.views import page_numbers

    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]


def test_the_results_are_paginated_by_number_with_the_current_page_marked(client, cast):
    # Twelve distinct speeches hold 工作: three pages of four.
    html = client.get("/search/", {"q": "工作", "page": 2, "page_size": 4}).content.decode()
    assert '<span class="current" aria-current="page">2</span>' in html
    assert 'aria-label="第 1 页"' in html and "page=3" in html and 'rel="prev"' in html


def test_a_page_past_the_last_leads_to_the_last(client, cast):
    # Four city-level speeches hold 工作: one page of four, whose link names no page.
    response = client.get("/search/", {"q": "工作", "level": "市", "page": 9, "page_size": 4})
    assert response.status_code == 302
    assert response["Location"].startswith("/search/?") and "page=" not in response["Location"]
    assert "level=%E5%B8%82" in response["Location"]
    # Twelve distinct speeches hold 工作: three pages of four; an old link asks for page 9.
    last = client.get("/search/", {"q": "工作", "page": 9, "page_size": 4}, follow=True).content.decode()
    assert '<span class="current" aria-current="page">3</span>' in last


def test_the_home_page_counts_distinct_speeches_and_copies_apart_and_the_documents_add_up(client, cast):
    html = client.get("/").content.decode()
    # 16 speeches: `safety` printed twice in county.txt, `yushan` reprinted in reprint.txt.
    assert "<strong>14</strong> 篇讲话" in html and "另有 2 篇" in html
    listing = client.get("/documents/").content.decode()
    for shown in ("4 篇 · ", "3 篇 · ", "6 篇，另 1 篇重复", "1 篇，另 1 篇重复"):
        assert shown in listing


def test_page_titles_name_the_site_once_and_a_quoted_query_in_one_pair_of_quotes(client, cast):
    assert "<title>讲话档案 · 中国政府讲话全文检索</title>" in client.get("/").content.decode()
    html = client.get("/search/", {"q": '"疫情防控"'}).content.decode()
    assert "<title>“疫情防控”的检索结果 · 讲话档案</title>" in html and "“&quot;" not in html
    html = client.get("/search/concordance/", {"q": '"疫情防控"'}).content.decode()
    assert "“疫情防控”的语境" in html and "“&quot;" not in html


def test_each_page_of_results_has_its_own_title_naming_its_filters_and_its_page(client, cast):
    def title(**params):
        return re.search(r"<title>(.*?)</title>", client.get("/search/", params).content.decode()).group(1)

    assert title(q="工作") == "“工作”的检索结果 · 讲话档案"
    assert title(q="工作", page="2", page_size="5") == "“工作”的检索结果 · 第2页 · 讲话档案"
    assert title(q="工作", level="县") == "“工作”的检索结果（讲话人级别：县） · 讲话档案"
    assert title(q="工作", level="县", year_from="2000") == "“工作”的检索结果（讲话人级别：县，年份：2000–） · 讲话档案"


def test_a_year_range_given_backwards_means_the_years_between(client, cast):
    forwards = client.get("/api/search", {"q": "工作", "year_from": 2016, "year_to": 2021}).json()
    backwards = client.get("/api/search", {"q": "工作", "year_from": 2021, "year_to": 2016}).json()
    assert backwards["count"] == forwards["count"] > 0
    assert [r["id"] for r in backwards["results"]] == [r["id"] for r in forwards["results"]]


def test_clearing_every_filter_keeps_the_query_and_the_order(client, cast):
    html = client.get("/search/", {"q": "工作", "level": "市", "sort": "year"}).content.decode()
    assert '<a href="?q=%E5%B7%A5%E4%BD%9C&amp;sort=year">全部清除</a>' in html


def test_a_search_offers_only_what_its_results_can_serve(client, cast):
    # Filters alone: no term to find in context or to chart.
    html = client.get("/search/", {"topic": "work-safety"}).content.decode()
    assert "逐条语境" not in html and ">趋势图<" not in html and 'class="facets"' in html
    # Nothing found: no order to choose, no empty filter panel; the feed may fill later.
    html = client.get("/search/", {"q": "没有这个词语"}).content.decode()
    assert 'class="sort-form"' not in html and 'class="facets"' not in html and "订阅此检索" in html
    html = client.get("/search/", {"q": "工作"}).content.decode()
    assert "逐条语境" in html and ">趋势图<" in html and 'class="sort-form"' in html


def facet_values(count: int, selected: int | None = None) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(url=f"?topic={n}", label=f"主题{n}", count=count - n, selected=n == selected)
        for n in range(count)
    ]


def test_a_long_filter_list_shows_its_first_eight_values_and_folds_the_rest_under_more():
    html = render_to_string("includes/facet_values.html", {"values": facet_values(12)})
    shown, rest = html.split("<details")
    assert shown.count("<li>") == 8 and rest.count("<li>") == 4
    assert "更多（另 4 项）" in rest and "open" not in rest.split(">")[0]
    assert "<details" not in render_to_string("includes/facet_values.html", {"values": facet_values(8)})


def test_a_selected_value_among_the_folded_ones_keeps_them_open():
    html = render_to_string("includes/facet_values.html", {"values": facet_values(12, selected=10)})
    assert '<details class="facet-more" open>' in html


def test_the_browse_pages_pager_is_a_navigation_named_for_what_it_does(cast):
    page = Paginator(list(Speech.objects.all()[:3]), 1).page(2)
    html = render_to_string("includes/speech_list.html", {"page": page})
    assert '<nav class="pager" aria-label="分页">' in html


def test_a_list_says_in_words_what_an_inferred_years_mark_and_a_fragments_tag_mean(cast):
    speech = cast["yushan"]
    speech.date, speech.year, speech.is_fragment = "2020/2022", None, False
    html = render_to_string("includes/speech_list.html", {"page": Paginator([speech], 10).page(1)})
    legend = one(html, "p", class_="muted meta-legend").content
    assert "“?”：是本馆据内容推断的" in legend and "残篇" not in legend
    # The mark itself is said to a screen reader, which may skip a "?".
    assert '2020—2022年<span aria-hidden="true">?</span><span class="visually-hidden">（推断）</span>' in html
    speech.is_fragment, speech.date = True, ""
    html = render_to_string("includes/speech_list.html", {"page": Paginator([speech], 10).page(1)})
    assert one(html, "p", class_="muted meta-legend").content == "“残篇”：来源网页只保留了这篇讲话的一部分。"


def test_an_inferred_place_is_marked_as_an_inferred_year_is_in_lists_and_on_the_speech_page(cast, client):
    speech = cast["yushan"]
    speech.date, speech.is_fragment = "", False
    speech.attribution = {**speech.attribution, "place": {"value": speech.region, "standing": "inferred"}}
    html = render_to_string("includes/speech_list.html", {"page": Paginator([speech], 10).page(1)})
    mark = '<span aria-hidden="true">?</span><span class="visually-hidden">（推断）</span>'
    assert f'title="地点据内容推断">{speech.region}{mark}</a>' in html
    assert "“?”：是本馆据内容推断的" in one(html, "p", class_="muted meta-legend").content
    Speech.objects.filter(pk=speech.pk).update(attribution=speech.attribution)
    page = client.get(speech.get_absolute_url()).content.decode()
    assert f" · {speech.region}? · 来源、依据、永久链接</summary>" in page
    speech.attribution = {**speech.attribution, "place": {"value": speech.region, "standing": "stated"}}
    stated = render_to_string("includes/speech_list.html", {"page": Paginator([speech], 10).page(1)})
    assert mark not in stated and "meta-legend" not in stated


def test_a_list_without_such_marks_has_no_legend(cast):
    speech = cast["yushan"]
    speech.date, speech.is_fragment = "", False
    html = render_to_string("includes/speech_list.html", {"page": Paginator([speech], 10).page(1)})
    assert "meta-legend" not in html


def test_a_keyboard_user_can_skip_the_filters_to_the_results(client, cast):
    # 45 to 58 presses of Tab led from 跳到正文 through the filter column to the first result.
    html = client.get("/search/", {"q": "工作"}).content.decode()
    assert '<a class="skip-link" href="#results">跳到检索结果</a>' in html
    assert html.index('id="results"') > html.index('class="facets"')
    assert "跳到检索结果" not in client.get("/search/", {"q": "没有这个词语"}).content.decode()


def test_the_search_pages_chart_leaves_a_year_the_archive_holds_nothing_of_blank_not_zero(client, cast):
    # As the trends page does: the cast has speeches of 2001, 2002 and 2016-2021 only.
    html = client.get("/search/", {"q": "工作"}).content.decode()
    chart = html[html.index('<details class="trends">') :]
    chart = chart[: chart.index("</details>")]
    assert "图上空缺的年份，本馆没有该年的讲话。" in chart
    assert "每千篇" not in chart  # counts only: the trends page has the rates
    # The years are kept until a load or a deletion forgets them.
    assert "2010" not in years_held()
    Speech.objects.filter(pk=cast["yushan"].pk).update(year=2010)
    assert "2010" not in years_held()
    forget_years_held()
    with mock.patch("speeches.models.cache.set", wraps=cache.set) as kept:
        assert years_held()["2010"] == 1
    # Five minutes at most: each process has its own cache, which the upload worker's
    # loads cannot reach.
    assert kept.call_args.args[2] == 300


def test_a_year_the_search_found_speeches_of_is_drawn_though_the_kept_years_lack_it(client, cast):
    # Kept in another process before a load there, the years may lack one for five minutes.
    from speeches.models import YEARS_HELD

    years = {year: n for year, n in years_held().items() if year != "2019"}
    cache.set(YEARS_HELD, years, 300)
    html = client.get("/search/", {"q": "工作"}).content.decode()
    chart = html[html.index('<details class="trends">') :]
    chart = chart[: chart.index("</details>")]
    assert '<th scope="row">2019</th><td>2</td>' in chart
    assert "图上空缺的年份" in chart  # 2003–2015 still are
    assert "最多为2019、2020（各2 篇）" in chart  # drawn: the chart's description counts it
