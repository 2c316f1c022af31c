"""A researcher charts a term, compares it with others and reads the numbers, in real
Chromium: on a desktop the wide chart shows, on a phone the narrow one, and neither
page scrolls sideways nor breaks the Content-Security-Policy (the page fixtures fail
on any violation)."""

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_goes_from_results_to_the_chart_and_adds_and_removes_terms(live_server, corpus, page):
    page.goto(live_server.url + "/search/?q=疫情防控")
    page.click(".result-count a:text('趋势图')")
    page.wait_for_selector(".chart-year svg.chart-wide")
    assert page.locator(".chart-year svg.chart-wide").is_visible()
    assert not page.locator(".chart-year svg.chart-narrow").is_visible()
    page.fill(".terms-inputs label:nth-child(2) input", "安全生产")
    page.fill(".terms-inputs label:nth-child(3) input", "教育信息化")
    page.click(".terms-form button")
    page.wait_for_url("**terms=*")
    assert page.locator(".chart-year .chart-legend li").count() == 3
    screenshot(page, "trends-compare-desktop")
    page.click(".tally-list li:nth-child(2) a:text('移除')")
    page.wait_for_selector(".chart-year")
    assert page.locator(".chart-year .chart-legend li").count() == 2
    assert "安全生产" not in page.text_content(".tally-list")


def test_the_chart_page_fits_a_phone_and_its_table_scrolls_in_its_own_box(live_server, corpus, phone_page, page):
    url = live_server.url + "/search/trends/?terms=疫情防控&terms=安全生产&terms=教育信息化&measure=rate"
    phone_page.goto(url)
    phone_page.wait_for_selector(".chart-year svg.chart-narrow")
    assert phone_page.locator(".chart-year svg.chart-narrow").is_visible()
    assert not phone_page.locator(".chart-year svg.chart-wide").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    # The tables scroll inside their own box, which a keyboard can reach, and say that they do:
    # a table cut at a column's edge looked whole.
    box = phone_page.locator(".chart-year .table-scroll")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert phone_page.locator(".chart-year .scroll-hint").is_visible()
    assert "左右滑动" in phone_page.text_content(".chart-year .scroll-hint")
    screenshot(phone_page, "trends-compare-phone")
    # Where the table fits, its box is no Tab stop and no hint shows.
    page.goto(url)
    wide = page.locator(".chart-year .table-scroll")
    assert wide.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert wide.get_attribute("tabindex") is None and wide.get_attribute("role") is None
    assert not page.locator(".chart-year .scroll-hint").is_visible()
    phone_page.goto(live_server.url + "/places/安徽/")
    assert phone_page.locator("svg.chart-narrow").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "place-chart-phone")
