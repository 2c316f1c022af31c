"""A researcher searches, reads the results and opens a speech, in real Chromium."""

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_searches_and_opens_a_highlighted_speech(live_server, corpus, page):
    page.goto(live_server.url + "/")
    assert "中国政府讲话全文检索" in page.text_content("h1")
    page.fill(".big-search input[name=q]", "疫情防控")
    page.click(".big-search button")
    page.wait_for_selector(".result")
    assert "共找到" in page.text_content(".result-count")
    assert page.locator(".result mark").count() > 0
    screenshot(page, "search-desktop")
    title = page.text_content(".result h2 a")
    page.click(".result h2 a")
    page.wait_for_selector("article.speech")
    assert page.text_content("article.speech h1").strip() == title.strip()
    # Arriving from search lands on the first matching paragraph, marked.
    assert page.evaluate("location.hash").startswith("#p")
    target = page.locator(":target")
    assert "疫情" in target.text_content() and target.locator("mark").count() > 0
    screenshot(page, "speech-desktop")


def test_search_results_fit_a_phone_screen(live_server, corpus, phone_page):
    phone_page.goto(live_server.url + "/search/?q=雨山區")
    phone_page.wait_for_selector(".result")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    assert "雨山区" in phone_page.text_content(".result mark")
    screenshot(phone_page, "search-phone")
