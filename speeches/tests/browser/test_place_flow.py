"""A researcher filters by a place, opens the place's page, opens a speech whose speaker
the text states and copies its GB/T 7714 citation with speaker and date, in real
Chromium at desktop and phone width."""

import pytest

from speeches.models import Speech

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_goes_from_a_place_filter_to_a_cited_speech(live_server, corpus, page, phone_page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    # 003's speech under the byline 应若平副厅长在20xx年度全省市州; its year is inferred
    # from the year it reviews ("回顾总结2016年度…").
    speech = Speech.objects.get(speaker="应若平", duplicate_of=None)
    assert speech.office == "副厅长" and speech.year

    page.goto(f"{live_server.url}/search/?q=教育信息化")
    place = page.locator('[data-facet="place"] a').first
    chosen = place.text_content().split()[0].lstrip("✓ ")
    place.click()
    page.wait_for_selector('[data-facet="place"] a.selected')
    total = int(page.text_content(".result-count strong"))
    counts = [int(c) for c in page.locator('[data-facet="place"] a.selected + .count').all_text_contents()]
    assert total == counts[0] > 0
    screenshot(page, "search-place-filter-desktop")

    page.goto(f"{live_server.url}/places/")
    page.click(f".place-list a:has-text('{chosen}')")
    assert page.text_content("h1") == f"地点：{chosen}"
    assert page.locator(".results .result").count() > 0
    screenshot(page, "place-desktop")

    page.goto(f"{live_server.url}{speech.get_absolute_url()}")
    facts = page.text_content(".facts")
    assert "应若平" in facts and "副厅长" in facts and "原文所载" in facts
    assert f"{speech.year}年?" in facts and "推断" in facts
    page.click("#cite summary")
    page.click('button.copy-cite[data-format="gbt7714"]')
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("应若平. ")
    assert f"[{speech.year}?]" in copied and "讲话人职务：副厅长" in copied
    screenshot(page, "speech-attribution-desktop")

    phone_page.goto(f"{live_server.url}/places/{chosen}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "place-phone")
    phone_page.goto(f"{live_server.url}{speech.get_absolute_url()}")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "speech-attribution-phone")
