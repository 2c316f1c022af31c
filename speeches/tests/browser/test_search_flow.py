"""A researcher searches, narrows by a facet, reads the results and opens a speech, in real Chromium.

Each test here re-ingests the corpus (transactional tests flush the database),
so the flow is one test per screen size rather than one per step.
"""

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_searches_narrows_by_topic_and_lands_on_the_highlighted_paragraph(live_server, corpus, page):
    page.goto(live_server.url + "/")
    assert "中国政府讲话全文检索" in page.text_content("h1")
    page.fill(".big-search input[name=q]", "疫情防控")
    page.click(".big-search button")
    page.wait_for_selector(".result")
    assert "共找到" in page.text_content(".result-count")
    assert page.locator(".result mark").count() > 0
    screenshot(page, "search-desktop")
    total = int(page.text_content(".result-count strong"))
    # The second topic: the first is usually 疫情防控 itself, which would keep every hit.
    facets = page.locator('[data-facet="topic"] .facet-values li')
    facet = facets.nth(1) if facets.count() > 1 else facets.first
    expected = int(facet.locator(".count").text_content())
    facet.locator("a").click()
    page.wait_for_url("**topic=*")
    page.wait_for_selector(".result")
    assert int(page.text_content(".result-count strong")) == expected <= total
    assert page.locator('[data-facet="topic"] a.selected').count() == 1
    screenshot(page, "search-facet-desktop")
    title = page.text_content(".result h2 a")
    page.click(".result h2 a")
    # The whole page parsed before :target is read (under load the check could run on a
    # half-parsed page, where the paragraph the fragment names did not exist yet).
    page.wait_for_url("**/speeches/**", wait_until="domcontentloaded")
    page.wait_for_selector("article.speech")
    assert page.text_content("article.speech h1").strip() == title.strip()
    # Arriving from search lands on the paragraph that best meets the query, marked.
    assert page.evaluate("location.hash").startswith("#p")
    target = page.locator(":target")
    assert target.locator("mark").count() > 0
    screenshot(page, "speech-desktop")


def test_search_results_facets_and_trends_fit_a_phone_screen(live_server, corpus, phone_page):
    phone_page.goto(live_server.url + "/search/?q=雨山區")
    phone_page.wait_for_selector(".result")
    assert "雨山区" in phone_page.text_content(".result mark")
    screenshot(phone_page, "search-phone")
    phone_page.goto(live_server.url + "/search/?q=工作")
    phone_page.click(".facet-box summary")
    # No filter list is a scroll box of its own inside the panel: a long one folds its rest under 更多.
    inner = phone_page.evaluate(
        "[...document.querySelectorAll('.facet-values')].filter(l => l.scrollHeight > l.clientHeight + 1).length"
    )
    assert inner == 0
    more = phone_page.locator('[data-facet="topic"] .facet-more')
    assert more.count() == 1 and not more.locator("li").first.is_visible()
    more.locator("summary").click()
    assert more.locator("li").first.is_visible()
    phone_page.click(".trends summary")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "search-facets-phone")


def test_a_word_lost_to_a_marker_is_offered_apart_and_opens_at_the_marked_place(live_server, corpus, phone_page):
    phone_page.goto(live_server.url + "/search/?q=一防三保")
    phone_page.wait_for_selector(".damaged-matches")
    assert "可能的匹配" in phone_page.text_content(".damaged-matches h2")
    assert "一防三〓" in phone_page.text_content(".damaged-matches .snippet mark")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "search-damaged-phone")
    phone_page.click(".damaged-matches .result h2 a")
    phone_page.wait_for_url("**/speeches/**", wait_until="domcontentloaded")
    phone_page.wait_for_selector("article.speech")
    target = phone_page.locator(":target")
    assert "一防三〓" in target.locator("mark").first.text_content()
    screenshot(phone_page, "speech-damaged-phone")


def test_a_term_is_highlighted_whole_in_every_result_and_the_total_is_what_the_pages_list(live_server, corpus, page):
    page.goto(live_server.url + "/search/?q=安全生产")
    page.wait_for_selector(".result")
    total = int(page.text_content(".result-count strong"))
    listed = []
    while True:
        for result in page.locator("ol.results > li.result").all():
            marks = [mark.text_content() for mark in result.locator("mark").all()]
            # Every mark is the term whole: never 安全 and 生产 apart, never a piece of it.
            assert marks and set(marks) == {"安全生产"}, marks
            listed.append(result.locator("h2 a").get_attribute("href").split("?")[0])
        following = page.locator('a[rel="next"]')
        if not following.count():
            break
        following.first.click()
        page.wait_for_selector(".result")
    screenshot(page, "search-term-desktop")
    assert len(listed) == len(set(listed)) == total


def test_a_search_that_finds_nothing_keeps_the_full_width_for_its_message_and_possible_matches(
    live_server, corpus, page
):
    # No filters to show: the results took the filters' 15rem column of a two-column grid.
    for query in ["量子色动力学超导体", "-疫情", "一防三保"]:
        page.goto(f"{live_server.url}/search/?q={query}")
        assert page.locator(".facets").count() == 0
        title = page.locator("h1.page-title").bounding_box()
        main = page.locator(".search-main").bounding_box()
        assert main["width"] >= title["width"] * 0.95 and main["width"] > 600, (query, main)
    damaged = page.locator(".damaged-matches").bounding_box()
    assert damaged["width"] > 600
    screenshot(page, "search-damaged-desktop")
    # With results the filters keep their column beside them.
    page.goto(f"{live_server.url}/search/?q=工作")
    facets, main = page.locator(".facets").bounding_box(), page.locator(".search-main").bounding_box()
    assert facets["x"] + facets["width"] <= main["x"]
